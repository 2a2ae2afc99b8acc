import type { ChangesPage } from "../feed/changes";
import { NOT_RENEWED, TOKEN_NOT_LIVE, type LeaseRefusal } from "../lease/lease";
import { deleteConflict, globalVersionConflict, nextVersion, versionConflict } from "./put";
import type { ListInput, ListPage, PutFailure, PutObjectsInput } from "../types";

/**
 * What a store that does not exist answers — one never written, or erased. The store's object answers this way
 * when it has no tables, and the Worker answers the same without reaching the object at all when the identity's
 * account knows no such store (worker/store-gate.ts): a read must leave nothing behind, and locally every object
 * reached is a SQLite file.
 */

/** listKeyVersions: no keys; the first page carries global version 0. */
export function absentList(input: ListInput): ListPage {
  return { keyVersions: [], globalVersion: input.before === undefined ? 0 : undefined };
}

/** listChanges: revision 0; a client that remembers a later revision was talking to an erased store: reset. */
export function absentChanges(since: number): ChangesPage {
  return { changes: [], revision: 0, hasMore: false, reset: since > 0, globalVersion: 0 };
}

/** renewLease: no lease was ever granted, so no token is live. */
export const ABSENT_RENEWAL: LeaseRefusal = { kind: "conflict", message: NOT_RENEWED };

/** A write with a `vss-lease` token: no lease is live on a store that does not exist (fencing rule 2). */
export function absentFence(lease: string | null): PutFailure | null {
  return lease === null ? null : { kind: "fenced", message: TOKEN_NOT_LIVE };
}

/**
 * Why `input` cannot apply to an empty store, or null when it can: fencing first, then the versions of the items
 * in order (each sees the ones before it), the global version, and the deletes — CONTRACT.md §5 on no keys.
 */
export function refusalOnAbsentStore(input: PutObjectsInput, lease: string | null): PutFailure | null {
  const fenced = absentFence(lease);
  if (fenced) return fenced;
  const versions = new Map<string, number>();
  for (const item of input.puts) {
    const version = nextVersion(item.version, versions.get(item.key));
    if (version === undefined) return { kind: "conflict", message: versionConflict(item.key, item.version, versions.get(item.key)) };
    versions.set(item.key, version);
  }
  if (input.globalVersion !== undefined && nextVersion(input.globalVersion, undefined) === undefined) {
    return { kind: "conflict", message: globalVersionConflict(input.globalVersion, 0) };
  }
  for (const item of input.deletes) {
    const stored = versions.get(item.key);
    if (stored === undefined || (item.version !== -1 && item.version !== stored)) return { kind: "conflict", message: deleteConflict(item.key, item.version, stored) };
    versions.delete(item.key);
  }
  return null;
}
