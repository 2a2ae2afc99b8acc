import { recordWrite, type ChangedKeys } from "../feed/changes";
import { recordRevision, type HistorySettings } from "../history/record";
import { fence } from "../lease/lease";
import type { ObjectHead, StoreSql } from "../sql";
import type { Limits, PutFailure, Result, Usage } from "../types";
import { exceededQuota } from "./usage";

/** Thrown inside the transaction to roll it back; never leaves the core. */
export class Rejected extends Error {
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

/** What a write is checked against and keeps: the store quota, the writer's lease token (null: none sent), the clock. */
export interface WriteRules {
  limits: Limits;
  lease: string | null;
  now: number;
  /** How long deleted keys stay in the change feed (ms). */
  changeRetentionMs: number;
  /** The store's own store_id: its history's genesis is bound to it (HISTORY.md §3). */
  storeId: string;
  history: HistorySettings;
}

/**
 * A committed write: the store's usage and revision after it, the revision's digest, its global version, and the
 * lease epoch it carried.
 */
export interface Applied {
  usage: Usage;
  revision: number;
  digest: Uint8Array;
  globalVersion: number;
  leaseEpoch?: number;
  /** The history's bytes after the write, and whether the write kept past versions (both for the pruning's alarm). */
  historyBytes: number;
  retained: boolean;
}

/** One write in progress, inside its transaction: what its item operations read and add to. */
export interface WriteStep {
  readonly db: StoreSql;
  /** The revision this write becomes if it changes anything. */
  readonly revision: number;
  readonly now: number;
  /** Replaced and deleted values keep their bytes in the history (VSS_HISTORY_VALUES_DAYS > 0). */
  readonly retain: boolean;
  /** A trial rolls back whatever it does: it keeps no history and frees no blob. */
  readonly trial: boolean;
  readonly keys: ChangedKeys;
  globalVersion: number;
  historyBytes: number;
  /** Adds a change of the store's usage. */
  count(delta: Usage): void;
}

/**
 * The version `key` holds stops being current at this write: it is recorded as a past version (HISTORY.md §4,
 * getVersion), its blob kept while its bytes are retained, freed otherwise. A version this same write put there was
 * never visible: it is neither recorded nor kept.
 */
export function retire(step: WriteStep, key: string, head: ObjectHead, deleted: boolean): void {
  if (step.trial) return;
  const visible = !step.keys.has(key);
  if (visible) step.historyBytes += step.db.history.endVersion(key, step.revision, step.now, deleted, step.retain);
  if (head.blobId !== null && !(visible && step.retain)) step.db.deleteBlob(head.blobId);
}

/**
 * Runs `write` in one transaction after the lease check (MULTIDEVICE.md §4, before any version check), then counts
 * the store quota, and records the revision: the change feed, the history's records and digest, and store_meta in
 * one statement. With `trial`, everything is rolled back and the result tells what the write would leave. `write`
 * returns false when it changed nothing (no revision is counted then).
 */
export function transact(storage: DurableObjectStorage, db: StoreSql, rules: WriteRules, trial: boolean, write: (step: WriteStep) => boolean): Result<Applied | null, PutFailure> {
  try {
    const applied = storage.transactionSync((): Applied | null => {
      const meta = db.meta();
      const fenced = fence(meta.lease, rules.lease, rules.now);
      if (!fenced.ok) throw new Rejected({ kind: "fenced", message: fenced.error.message });
      const after = { ...meta.usage };
      const step: WriteStep = {
        db,
        revision: meta.revision + 1,
        now: rules.now,
        retain: rules.history.valuesMs > 0,
        trial,
        keys: new Map(),
        globalVersion: meta.globalVersion,
        historyBytes: 0,
        count(delta) {
          after.bytes += delta.bytes;
          after.keys += delta.keys;
        },
      };
      const changed = write(step);
      const exceeded = exceededQuota("store", meta.usage, after, rules.limits);
      if (exceeded) throw new Rejected({ kind: "quota", message: exceeded });
      if (trial) throw new TrialDone({ usage: after, revision: meta.revision, digest: new Uint8Array(32), globalVersion: step.globalVersion, leaseEpoch: fenced.value, historyBytes: 0, retained: false });
      if (!changed) return null;
      recordWrite(db.changes, step.keys, step.revision, rules.now, rules.changeRetentionMs);
      const recorded = recordRevision(db.history, meta, step.revision, step.globalVersion, step.keys, rules.now, rules.storeId);
      db.commit({
        usage: after,
        revision: step.revision,
        globalVersion: step.globalVersion,
        headDigest: recorded.digest,
        incarnation: recorded.incarnation,
        genesis: recorded.genesis,
        historyBytes: step.historyBytes + recorded.bytes,
        settings: rules.history,
      });
      const historyBytes = meta.historyBytes + step.historyBytes + recorded.bytes;
      return { usage: after, revision: step.revision, digest: recorded.digest, globalVersion: step.globalVersion, leaseEpoch: fenced.value, historyBytes, retained: step.retain && step.historyBytes > 0 };
    });
    return { ok: true, value: applied };
  } catch (error) {
    if (error instanceof TrialDone) return { ok: true, value: error.applied };
    if (error instanceof Rejected) return { ok: false, error: error.failure };
    throw error;
  }
}
