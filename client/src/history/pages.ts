import { create } from "@bufbuild/protobuf";
import { InternalError } from "../errors.js";
import { RevisionSchema, type GetHistoryResponse, type Revision } from "../gen/history_pb.js";

/** One getHistory call of a store: the page after `afterRevision`, resumed after `resumeKey` when given. */
export type HistoryPageFetcher = (afterRevision: bigint, resumeKey: string | undefined, pageSize?: number) => Promise<GetHistoryResponse>;

/** Where {@link historyRecords} stops, and who sees every page (for the head, bounds and incarnation). */
export interface HistoryRecordsOptions {
  /** The last revision wanted; default: the head as the pages report it. */
  until?: bigint;
  onPage?: (page: GetHistoryResponse) => void;
}

function copy(record: Revision): Revision {
  return create(RevisionSchema, { ...record, changes: [...record.changes] });
}

/**
 * Every revision record after `afterRevision`, ascending, each whole: a revision split across pages
 * (`more_changes`) is asked again with its revision − 1 and the last key received as `resume_key`, and its
 * changes are joined before it is yielded (HISTORY.md §4).
 */
export async function* historyRecords(fetchPage: HistoryPageFetcher, afterRevision: bigint, options: HistoryRecordsOptions = {}): AsyncGenerator<Revision> {
  let cursor = afterRevision;
  let resumeKey: string | undefined;
  let pending: Revision | undefined;
  let previous = afterRevision;
  for (;;) {
    const page = await fetchPage(cursor, resumeKey);
    options.onPage?.(page);
    let records = page.revisions;
    if (pending) {
      const continued = records[0];
      if (!continued || continued.revision !== pending.revision) throw new InternalError(`server violated the API: getHistory did not resume revision ${pending.revision}`);
      if (continued.moreChanges && continued.changes.length === 0) throw new InternalError(`server violated the API: getHistory resumed revision ${pending.revision} with no change`);
      pending.changes.push(...continued.changes);
      pending.moreChanges = continued.moreChanges;
      records = records.slice(1);
      if (!pending.moreChanges) {
        yield pending;
        pending = undefined;
      }
    }
    for (const record of records) {
      if (pending) throw new InternalError("server violated the API: a getHistory page went on after a revision with more changes");
      if (record.revision <= previous) throw new InternalError(`server violated the API: getHistory went from revision ${previous} back to ${record.revision}`);
      previous = record.revision;
      if (options.until !== undefined && record.revision > options.until) return;
      if (record.moreChanges) {
        if (record.changes.length === 0) throw new InternalError(`server violated the API: revision ${record.revision} has more changes but none on its page`);
        pending = copy(record);
      } else {
        yield record;
      }
    }
    if (pending) {
      cursor = pending.revision - 1n;
      resumeKey = pending.changes.at(-1)?.key;
      continue;
    }
    const last = page.revisions.at(-1);
    if (!last) return;
    cursor = last.revision;
    resumeKey = undefined;
    if (cursor >= page.headRevision || (options.until !== undefined && cursor >= options.until)) return;
  }
}
