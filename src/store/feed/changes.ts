import type { ChangesSql } from "./changes-sql";

/** MULTIDEVICE.md §5: the page size of listChanges when a request names none, and its cap. */
export const CHANGES_PAGE_SIZE = 1000;
/** Deleted keys pruned per write at most (a bounded amount of work), every PRUNE_EVERY revisions. */
const PRUNE_BATCH = 256;
const PRUNE_EVERY = 16;

/** One key's change as listChanges answers it. */
export interface ChangeView {
  key: string;
  version: number;
  deleted: boolean;
  revision: number;
}

/** A page of the change feed (MULTIDEVICE.md §5). */
export interface ChangesPage {
  changes: ChangeView[];
  revision: number;
  hasMore: boolean;
  reset: boolean;
  globalVersion: number;
}

/**
 * The keys a committed write changed: their version then and the SHA-256 of their value, or deleted (last one wins
 * within the write).
 */
export type ChangedKeys = Map<string, { version: number; deleted: boolean; sha256: Uint8Array | null }>;

/**
 * Records one committed write inside its transaction: every key the write changed is recorded at `revision` (the
 * store's next; the caller advances it). Deleted keys older than `retentionMs` are pruned now and then.
 */
export function recordWrite(sql: ChangesSql, keys: ChangedKeys, revision: number, now: number, retentionMs: number): void {
  for (const [key, change] of keys) sql.record(key, revision, change.deleted ? 0 : change.version, change.deleted, now);
  if (revision % PRUNE_EVERY === 0) sql.prune(now - retentionMs, PRUNE_BATCH);
}

/**
 * Changes after `since`, ascending by revision, a page ending on a revision boundary. A client ahead of the store
 * (erased meanwhile) or behind its pruned history gets `reset` and the current revision.
 */
export function changesSince(sql: ChangesSql, since: number, pageSize: number, globalVersion: number): ChangesPage {
  const { revision, pruned } = sql.revision();
  if (since > revision || since < pruned) return { changes: [], revision, hasMore: false, reset: true, globalVersion };
  let rows = sql.after(since, pageSize);
  let hasMore = false;
  const last = rows.length === pageSize ? rows.at(-1)?.revision : undefined;
  if (last !== undefined) {
    // A full page ends on a revision boundary: it takes the whole of its last revision, even past its size.
    rows = rows.filter((row) => row.revision < last).concat(sql.at(last));
    hasMore = sql.after(last, 1).length > 0;
  }
  return {
    changes: rows.map((row) => ({ key: row.key, version: row.version, deleted: row.deleted === 1, revision: row.revision })),
    revision: hasMore && last !== undefined ? last : revision,
    hasMore,
    reset: false,
    globalVersion,
  };
}
