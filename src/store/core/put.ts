import type { StoreSql } from "../sql";
import { objectUsage } from "./usage";
import { NEVER_MATCHES, type DeleteItem, type PutFailure, type PutItem, type PutObjectsInput, type Result, type Usage } from "../types";
import { Rejected, retire, transact, type Applied, type WriteRules, type WriteStep } from "./transact";

export type { Applied, WriteRules } from "./transact";

const conflict = (message: string) => new Rejected({ kind: "conflict", message });

/**
 * The version a record gets when a write requests `requested` and the record is at `current` (undefined when
 * it does not exist): -1 resets to 1, 0 creates only, N updates only from N. CONTRACT.md §5.3–§5.4.
 */
export function nextVersion(requested: number, current: number | undefined): number | undefined {
  if (requested === -1) return 1;
  if (requested === 0) return current === undefined ? 1 : undefined;
  if (requested === NEVER_MATCHES || current === undefined) return undefined;
  return requested === current ? requested + 1 : undefined;
}

/** The CONFLICT messages of a put item, the global version and a delete item (`stored` undefined: no such key). */
export const versionConflict = (key: string, requested: number, stored: number | undefined) =>
  `version conflict on key ${JSON.stringify(key)}: requested ${requested}, ${stored === undefined ? "key does not exist" : `stored ${stored}`}`;
export const globalVersionConflict = (requested: number, stored: number) => `global version conflict: requested ${requested}, stored ${stored}`;
export const deleteConflict = (key: string, requested: number, stored: number | undefined) =>
  `delete of key ${JSON.stringify(key)}: ${stored === undefined ? "key does not exist" : `requested version ${requested}, stored ${stored}`}`;

/**
 * Applies a putObjects atomically: the lease check, puts in order, then the global version, then deletes, then
 * the store quota and the revision. With `trial`, nothing stays. An empty put never gets here (writes.ts).
 */
export function applyPut(storage: DurableObjectStorage, db: StoreSql, input: PutObjectsInput, rules: WriteRules, trial = false): Result<Applied, PutFailure> {
  const result = transact(storage, db, rules, trial, (step) => {
    for (const item of input.puts) step.count(put(step, item));
    if (input.globalVersion !== undefined) bumpGlobalVersion(step, input.globalVersion);
    for (const item of input.deletes) step.count(remove(step, item));
    return true;
  });
  if (!result.ok) return result;
  if (!result.value) throw new Error("a putObjects always changes something");
  return { ok: true, value: result.value };
}

/**
 * deleteObject (CONTRACT.md §6): deletes `key` if it exists and `version` is -1 or matches. A miss is not an error
 * and counts no revision (null); a fenced writer is refused.
 */
export function applyDelete(storage: DurableObjectStorage, db: StoreSql, key: string, version: number, rules: WriteRules): Result<Applied | null, PutFailure> {
  return transact(storage, db, rules, false, (step) => {
    const head = db.head(key);
    if (!head || (version !== -1 && version !== head.version)) return false;
    step.count(deleteExisting(step, key, head));
    step.keys.set(key, { version: 0, deleted: true, sha256: null });
    return true;
  });
}

/** Writes one item; returns how much the store's usage changes. A planned value (size only) is for trials only. */
function put(step: WriteStep, item: PutItem): Usage {
  const { db } = step;
  const head = db.head(item.key);
  const version = nextVersion(item.version, head?.version);
  if (version === undefined) throw conflict(versionConflict(item.key, item.version, head?.version));
  let inline: Uint8Array | null = null;
  let blobId: number | null = null;
  let sha256: Uint8Array | null = null;
  let size: number;
  if (item.value.kind === "inline") {
    inline = item.value.bytes;
    sha256 = item.value.sha256;
    size = inline.byteLength;
  } else if (item.value.kind === "planned") {
    if (!step.trial) throw new Error("a planned value can only be tried, not written");
    size = item.value.size;
  } else {
    const blob = db.blob(item.value.blobId);
    if (!blob?.staged || blob.size !== item.value.size) {
      throw new Rejected({ kind: "staged-value-missing", message: `staged blob ${item.value.blobId} is missing or incomplete` });
    }
    db.commitBlob(item.value.blobId);
    blobId = item.value.blobId;
    sha256 = item.value.sha256;
    size = item.value.size;
  }
  if (head) retire(step, item.key, head, false);
  step.keys.set(item.key, { version, deleted: false, sha256 });
  if (head) {
    db.update(item.key, version, size, inline, blobId, sha256, step.revision);
    return { bytes: size - head.size, keys: 0 };
  }
  db.insert(item.key, version, size, inline, blobId, sha256, step.revision);
  return objectUsage(item.key, size);
}

function bumpGlobalVersion(step: WriteStep, requested: number): void {
  const current = step.globalVersion;
  const version = nextVersion(requested, current === 0 ? undefined : current);
  if (version === undefined) throw conflict(globalVersionConflict(requested, current));
  step.globalVersion = version;
}

/** Deletes `key` (the caller has checked that it exists), retiring its version; returns the usage change. */
function deleteExisting(step: WriteStep, key: string, head: { seq: number; version: number; size: number; blobId: number | null }): Usage {
  retire(step, key, head, true);
  step.db.delete(key);
  const removed = objectUsage(key, head.size);
  return { bytes: -removed.bytes, keys: -removed.keys };
}

function remove(step: WriteStep, item: DeleteItem): Usage {
  const head = step.db.head(item.key);
  if (!head || (item.version !== -1 && item.version !== head.version)) throw conflict(deleteConflict(item.key, item.version, head?.version));
  const usage = deleteExisting(step, item.key, head);
  step.keys.set(item.key, { version: 0, deleted: true, sha256: null });
  return usage;
}
