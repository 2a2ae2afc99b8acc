import type { StoreSql } from "../sql";
import { ZERO_DIGEST } from "./digest";
import type { ChangeRecord } from "./history-sql";

/** HISTORY.md §4: revisions per getHistory page at most (and when none is asked for), and changes per page. */
export const HISTORY_PAGE_SIZE = 100;
export const HISTORY_PAGE_CHANGES = 10_000;

/** One revision as getHistory answers it. */
export interface RevisionView {
  revision: number;
  digest: Uint8Array;
  committedAtMs: number;
  globalVersion: number;
  changes: { key: string; deleted: boolean; version: number; valueSha256: Uint8Array }[];
  moreChanges: boolean;
  changesPruned: boolean;
}

/** A getHistory page, with the store's head, where its retained records begin, and its incarnation. */
export interface HistoryPage {
  revisions: RevisionView[];
  headRevision: number;
  headDigest: Uint8Array;
  oldestRevision: number;
  baseDigest: Uint8Array;
  incarnation: Uint8Array;
}

/** Where the retained records begin, the digest before them, and the incarnation (store_meta). */
export interface HistoryBounds {
  oldest: number;
  baseDigest: Uint8Array | null;
  incarnation: Uint8Array | null;
}

/** A store that was never written: revision 0, nothing retained. */
export const EMPTY_HISTORY: HistoryPage = { revisions: [], headRevision: 0, headDigest: ZERO_DIGEST, oldestRevision: 1, baseDigest: ZERO_DIGEST, incarnation: new Uint8Array(0) };

const toView = (change: ChangeRecord) => ({ key: change.key, deleted: change.deleted, version: change.deleted ? 0 : change.version, valueSha256: change.valueSha256 ?? ZERO_DIGEST });

/**
 * getHistory (HISTORY.md §4): the records after `afterRevision`, ascending, at most `pageSize` revisions and
 * HISTORY_PAGE_CHANGES changes. A revision whose changes do not fit ends the page with `moreChanges`; asked again
 * with its revision − 1 and the last key received as `resumeKey`, it comes again with the changes after that key.
 * A revision older than the retained records comes with its digest, time and global version, `changesPruned`.
 */
export function historyPage(db: StoreSql | null, afterRevision: number, pageSize: number, resumeKey: string | null): HistoryPage {
  if (!db) return EMPTY_HISTORY;
  const head = db.currentHead();
  if (head.revision === 0) return EMPTY_HISTORY;
  const bounds = db.history.bounds();
  const nothingRetained = bounds.oldest > head.revision;
  const page: HistoryPage = {
    revisions: [],
    headRevision: head.revision,
    headDigest: head.digest,
    oldestRevision: nothingRetained ? head.revision + 1 : bounds.oldest,
    baseDigest: nothingRetained ? head.digest : (bounds.baseDigest ?? ZERO_DIGEST),
    incarnation: bounds.incarnation ?? new Uint8Array(0),
  };
  if (afterRevision >= head.revision) return page;
  const records = db.history.revisions(afterRevision, pageSize);
  if (records.length === 0) return page;
  const first = records[0]?.revision ?? 0;
  const last = records.at(-1)?.revision ?? 0;
  const from = Math.max(first, bounds.oldest);
  const changes = from <= last ? db.history.changes(from, last, from === first ? resumeKey : null, HISTORY_PAGE_CHANGES + 1) : [];
  let taken = 0;
  let index = 0;
  for (const record of records) {
    const view: RevisionView = { revision: record.revision, digest: record.digest, committedAtMs: record.committedAt, globalVersion: record.globalVersion, changes: [], moreChanges: false, changesPruned: record.revision < bounds.oldest };
    page.revisions.push(view);
    if (view.changesPruned) continue;
    while (index < changes.length && changes[index]?.revision === record.revision) {
      if (taken === HISTORY_PAGE_CHANGES) {
        view.moreChanges = true;
        return page;
      }
      view.changes.push(toView(changes[index++] as ChangeRecord));
      taken++;
    }
    if (taken === HISTORY_PAGE_CHANGES) return page;
  }
  return page;
}
