import { recordWrite, type ChangedKeys } from "../feed/changes";
import { fence } from "../lease/lease";
import type { StoreSql } from "../sql";
import { exceededQuota, objectUsage } from "./usage";
import {
  NEVER_MATCHES,
  type DeleteItem,
  type Limits,
  type PutFailure,
  type PutItem,
  type PutObjectsInput,
  type Result,
  type Usage,
} from "../types";

/** Thrown inside the transaction to roll it back; never leaves this module. */
class Rejected extends Error {
  constructor(readonly failure: PutFailure) {
    super(failure.message);
  }
}

/** Thrown at the end of a trial run to roll back a transaction that succeeded. */
class TrialDone extends Error {
  constructor(readonly applied: Applied) {
    super("trial");
  }
}

const conflict = (message: string) => new Rejected({ kind: "conflict", message });

/** What a write is checked against: the store quota, the writer's lease token (null: none sent), and the clock. */
export interface WriteRules {
  limits: Limits;
  lease: string | null;
  now: number;
  /** How long deleted keys stay in the change feed (ms). */
  changeRetentionMs: number;
}

/** A committed write: the store's usage and revision after it, its global version, and the lease epoch it carried. */
export interface Applied {
  usage: Usage;
  revision: number;
  globalVersion: number;
  leaseEpoch?: number;
}

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
 * Runs `write` in one transaction after the lease check (MULTIDEVICE.md §4, before any version check), then counts
 * the store quota and the revision. With `trial`, everything is rolled back and the result tells what the write
 * would leave. `write` returns null when it changed nothing (no revision is counted then).
 */
function transact(
  storage: DurableObjectStorage,
  db: StoreSql,
  rules: WriteRules,
  trial: boolean,
  write: (count: (delta: Usage) => void, keys: ChangedKeys) => boolean,
): Result<Applied | null, PutFailure> {
  try {
    const applied = storage.transactionSync((): Applied | null => {
      const fenced = fence(db.lease, rules.lease, rules.now);
      if (!fenced.ok) throw new Rejected({ kind: "fenced", message: fenced.error.message });
      const before = db.usage();
      const after = { ...before };
      const keys: ChangedKeys = new Map();
      const changed = write((delta) => {
        after.bytes += delta.bytes;
        after.keys += delta.keys;
      }, keys);
      const exceeded = exceededQuota("store", before, after, rules.limits);
      if (exceeded) throw new Rejected({ kind: "quota", message: exceeded });
      const result = { usage: after, revision: 0, globalVersion: db.globalVersion(), leaseEpoch: fenced.value };
      if (trial) throw new TrialDone(result);
      if (!changed) return null;
      if (after.bytes !== before.bytes || after.keys !== before.keys) db.addUsage(after.bytes - before.bytes, after.keys - before.keys);
      result.revision = recordWrite(db.changes, keys, rules.now, rules.changeRetentionMs);
      return result;
    });
    return { ok: true, value: applied };
  } catch (error) {
    if (error instanceof TrialDone) return { ok: true, value: error.applied };
    if (error instanceof Rejected) return { ok: false, error: error.failure };
    throw error;
  }
}

/**
 * Applies a putObjects atomically: the lease check, puts in order, then the global version, then deletes, then
 * the store quota and the revision. With `trial`, nothing stays. An empty put never gets here (writes.ts).
 */
export function applyPut(storage: DurableObjectStorage, db: StoreSql, input: PutObjectsInput, rules: WriteRules, trial = false): Result<Applied, PutFailure> {
  const result = transact(storage, db, rules, trial, (count, keys) => {
    for (const item of input.puts) count(put(db, item, keys, trial));
    if (input.globalVersion !== undefined) bumpGlobalVersion(db, input.globalVersion);
    for (const item of input.deletes) count(remove(db, item, keys));
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
  return transact(storage, db, rules, false, (count, keys) => {
    const head = db.head(key);
    if (!head || (version !== -1 && version !== head.version)) return false;
    count(deleteExisting(db, key, head));
    keys.set(key, { version: 0, deleted: true });
    return true;
  });
}

/** Writes one item; returns how much the store's usage changes. A planned value (size only) is for trials only. */
function put(db: StoreSql, item: PutItem, keys: ChangedKeys, trial: boolean): Usage {
  const head = db.head(item.key);
  const version = nextVersion(item.version, head?.version);
  if (version === undefined) {
    throw conflict(versionConflict(item.key, item.version, head?.version));
  }
  let inline: Uint8Array | null = null;
  let blobId: number | null = null;
  let size: number;
  if (item.value.kind === "inline") {
    inline = item.value.bytes;
    size = inline.byteLength;
  } else if (item.value.kind === "planned") {
    if (!trial) throw new Error("a planned value can only be tried, not written");
    size = item.value.size;
  } else {
    const blob = db.blob(item.value.blobId);
    if (!blob?.staged || blob.size !== item.value.size) {
      throw new Rejected({ kind: "staged-value-missing", message: `staged blob ${item.value.blobId} is missing or incomplete` });
    }
    db.commitBlob(item.value.blobId);
    blobId = item.value.blobId;
    size = item.value.size;
  }
  keys.set(item.key, { version, deleted: false });
  if (head) {
    db.update(item.key, version, size, inline, blobId);
    if (head.blobId !== null) db.deleteBlob(head.blobId);
    return { bytes: size - head.size, keys: 0 };
  }
  db.insert(item.key, version, size, inline, blobId);
  return objectUsage(item.key, size);
}

function bumpGlobalVersion(db: StoreSql, requested: number): void {
  const current = db.globalVersion();
  const version = nextVersion(requested, current === 0 ? undefined : current);
  if (version === undefined) {
    throw conflict(globalVersionConflict(requested, current));
  }
  db.setGlobalVersion(version);
}

/** Deletes `key` with its chunks (the caller has checked that it exists); returns the usage change. */
function deleteExisting(db: StoreSql, key: string, head: { size: number; blobId: number | null }): Usage {
  db.delete(key);
  if (head.blobId !== null) db.deleteBlob(head.blobId);
  const removed = objectUsage(key, head.size);
  return { bytes: -removed.bytes, keys: -removed.keys };
}

function remove(db: StoreSql, item: DeleteItem, keys: ChangedKeys): Usage {
  const head = db.head(item.key);
  if (!head || (item.version !== -1 && item.version !== head.version)) throw conflict(deleteConflict(item.key, item.version, head?.version));
  keys.set(item.key, { version: 0, deleted: true });
  return deleteExisting(db, item.key, head);
}
