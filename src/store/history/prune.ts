import type { StoreSql } from "../sql";

/** Rows one pruning round handles at most, per kind: a bounded amount of work per alarm. */
const BATCH = 512;
/** How soon the next round runs while work is left. */
const AGAIN_MS = 1_000;

/**
 * One round of the history's background pruning (HISTORY.md §5), never inside a write: first the values whose
 * retention (VSS_HISTORY_VALUES_DAYS) has passed; then, while the history is over its allowance (VSS_HISTORY_BYTES),
 * overwritten values oldest first, then deleted values, then the records of revisions older than
 * VSS_HISTORY_RETENTION_DAYS, oldest first and always together with every older revision's. Records within their
 * retention are never dropped, and every revision's digest stays. Returns when the next round is due (null: none).
 */
export function pruneHistory(storage: DurableObjectStorage, db: StoreSql, now: number): number | null {
  return storage.transactionSync(() => {
    const state = db.history.pruningState();
    let bytes = state.bytes;
    let freed = 0;
    let busy = false;
    const dropValues = (deleted: boolean, endedBefore: number, untilUnder: boolean) => {
      const values = db.history.retainedValues(deleted, endedBefore, BATCH);
      for (const value of values) {
        if (untilUnder && bytes <= state.allowanceBytes) return;
        db.history.dropValue(value.id);
        if (value.blobId !== null) db.deleteBlob(value.blobId);
        bytes -= value.size;
        freed += value.size;
      }
      if (values.length === BATCH) busy = true;
    };
    // Each stage runs only once the stages before it are done: a stage that filled its batch ends the round, and
    // the next round (AGAIN_MS later) goes on with it, so nothing is dropped out of the spec's order.
    const over = () => !busy && bytes > state.allowanceBytes;
    dropValues(false, now - state.valuesMs, false);
    if (!busy) dropValues(true, now - state.valuesMs, false);
    if (over()) dropValues(false, Number.MAX_SAFE_INTEGER, true);
    if (over()) dropValues(true, Number.MAX_SAFE_INTEGER, true);
    let oldest: { revision: number; baseDigest: Uint8Array } | undefined;
    if (over()) {
      const prunable = db.history.prunableRevisions(state.oldest, now - state.retentionMs, BATCH);
      let through: number | undefined;
      for (let i = 0, left = bytes; i < prunable.length && left > state.allowanceBytes; i++) {
        through = prunable[i];
        left -= db.history.recordBytes(through ?? 0);
      }
      const baseDigest = through === undefined ? null : db.history.digestOf(through);
      if (through !== undefined && baseDigest) {
        const pruned = db.history.pruneRecordsThrough(through);
        for (const blob of pruned.blobs) db.deleteBlob(blob);
        bytes -= pruned.bytes;
        freed += pruned.bytes;
        oldest = { revision: through + 1, baseDigest };
        if (through === prunable.at(-1) && prunable.length === BATCH && bytes > state.allowanceBytes) busy = true;
      }
    }
    if (freed > 0 || oldest) db.history.account(-freed, oldest);
    if (busy) return now + AGAIN_MS;
    const dues: number[] = [];
    const retainedSince = db.history.oldestRetainedEnd();
    if (retainedSince !== null) dues.push(retainedSince + state.valuesMs);
    // Still over the allowance with every record within its retention: due when the oldest one comes out of it.
    const oldestCommit = bytes > state.allowanceBytes ? db.history.committedAt(oldest?.revision ?? state.oldest) : null;
    if (oldestCommit !== null) dues.push(oldestCommit + state.retentionMs);
    return dues.length === 0 ? null : Math.max(now + AGAIN_MS, Math.min(...dues));
  });
}

/** How soon after a write that left the history over its allowance a pruning round runs (one a minute at most). */
export const OVER_ALLOWANCE_DELAY_MS = 60_000;
