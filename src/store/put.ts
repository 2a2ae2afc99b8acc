import type { StoreSql } from "./sql";
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
} from "./types";

/** Thrown inside the transaction to roll it back; never leaves this module. */
class Rejected extends Error {
  constructor(readonly failure: PutFailure) {
    super(failure.message);
  }
}

/** Thrown at the end of a trial run to roll back a transaction that succeeded. */
class TrialDone extends Error {
  constructor(readonly usage: Usage) {
    super("trial");
  }
}

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

/**
 * Applies a putObjects atomically: puts in order, then the global version, then deletes, then the store quota.
 * With `trial`, everything is rolled back and the result tells what the store's usage would become.
 * The usage in the result is the store's usage afterwards (unchanged on failure).
 */
export function applyPut(
  storage: DurableObjectStorage,
  db: StoreSql,
  input: PutObjectsInput,
  limits: Limits,
  trial = false,
): Result<Usage, PutFailure> {
  try {
    const usage = storage.transactionSync(() => {
      const before = db.usage();
      const after = { ...before };
      const count = (delta: Usage) => {
        after.bytes += delta.bytes;
        after.keys += delta.keys;
      };
      for (const item of input.puts) count(put(db, item, trial));
      if (input.globalVersion !== undefined) bumpGlobalVersion(db, input.globalVersion);
      for (const item of input.deletes) count(remove(db, item));
      const exceeded = exceededQuota("store", before, after, limits);
      if (exceeded) throw new Rejected({ kind: "quota", message: exceeded });
      if (trial) throw new TrialDone(after);
      if (after.bytes !== before.bytes || after.keys !== before.keys) db.addUsage(after.bytes - before.bytes, after.keys - before.keys);
      return after;
    });
    return { ok: true, value: usage };
  } catch (error) {
    if (error instanceof TrialDone) return { ok: true, value: error.usage };
    if (error instanceof Rejected) return { ok: false, error: error.failure };
    throw error;
  }
}

/** Writes one item; returns how much the store's usage changes. A planned value (size only) is for trials only. */
function put(db: StoreSql, item: PutItem, trial: boolean): Usage {
  const head = db.head(item.key);
  const version = nextVersion(item.version, head?.version);
  if (version === undefined) {
    throw conflict(
      head
        ? `version conflict on key ${JSON.stringify(item.key)}: requested ${item.version}, stored ${head.version}`
        : `version conflict on key ${JSON.stringify(item.key)}: requested ${item.version}, key does not exist`,
    );
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
    throw conflict(`global version conflict: requested ${requested}, stored ${current}`);
  }
  db.setGlobalVersion(version);
}

/** Deletes `key` with its chunks (the caller has checked that it exists); returns the usage change. */
export function deleteExisting(db: StoreSql, key: string, head: { size: number; blobId: number | null }): Usage {
  db.delete(key);
  if (head.blobId !== null) db.deleteBlob(head.blobId);
  const removed = objectUsage(key, head.size);
  return { bytes: -removed.bytes, keys: -removed.keys };
}

function remove(db: StoreSql, item: DeleteItem): Usage {
  const head = db.head(item.key);
  if (!head) throw conflict(`delete of key ${JSON.stringify(item.key)}: key does not exist`);
  if (item.version !== -1 && item.version !== head.version) {
    throw conflict(`delete of key ${JSON.stringify(item.key)}: requested version ${item.version}, stored ${head.version}`);
  }
  return deleteExisting(db, item.key, head);
}
