import type { MessageInitShape } from "@bufbuild/protobuf";
import type { DeleteObjectRequestSchema, PutObjectRequestSchema } from "../gen/vss_pb.js";
import { valueSha256, ZERO_DIGEST, type HistoryChange } from "./digest.js";

/** What a write of this client changes, if it made the next revision: its changes and the global version after it. */
export interface OwnWrite {
  changes: HistoryChange[];
  /** The global version after the write; undefined: unchanged by it. */
  globalVersion: bigint | undefined;
}

/** CONTRACT.md §5.3–§5.4: -1 resets to 1, 0 creates at 1, N updates to N + 1. */
function versionAfter(requested: bigint): bigint {
  return requested === -1n ? 1n : requested + 1n;
}

const deleted = (key: string): HistoryChange => ({ key, deleted: true, version: 0n, valueSha256: ZERO_DIGEST });

/**
 * The changes a putObjects makes if it succeeds as a revision (HISTORY.md §3): each item's key at its next version
 * with its value's hash, each delete item's key as deleted (also when written in the same request). Undefined when
 * a key is written twice (its version then depends on the order of application): the client proves that revision
 * with getHistory instead.
 */
export function putChanges(request: MessageInitShape<typeof PutObjectRequestSchema>): OwnWrite | undefined {
  const changes = new Map<string, HistoryChange>();
  for (const item of request.transactionItems ?? []) {
    const key = item.key ?? "";
    if (changes.has(key)) return undefined;
    changes.set(key, { key, deleted: false, version: versionAfter(item.version ?? 0n), valueSha256: valueSha256(item.value ?? new Uint8Array(0)) });
  }
  for (const item of request.deleteItems ?? []) changes.set(item.key ?? "", deleted(item.key ?? ""));
  const globalVersion = request.globalVersion === undefined ? undefined : versionAfter(request.globalVersion);
  return { changes: [...changes.values()], globalVersion };
}

/** The change a deleteObject makes if it removed its key. */
export function deleteChanges(request: MessageInitShape<typeof DeleteObjectRequestSchema>): OwnWrite {
  return { changes: [deleted(request.keyValue?.key ?? "")], globalVersion: undefined };
}
