import { InternalError } from "../errors.js";
import type { Change, ListChangesResponse } from "../gen/multidevice_pb.js";
import type { CallOptions, VssClient } from "../client/vss-client.js";

/** Options of {@link changesSince}. */
export interface ChangesSinceOptions extends CallOptions {
  /** Changes per page (the server caps it at 1000; a page may exceed it to finish a revision). */
  pageSize?: number;
}

/** One page of the change feed, as {@link changesSince} yields it. */
export interface ChangesPage {
  /** Keys whose last change is after the previous page's revision, ascending by revision. */
  changes: Change[];
  /** Where the next page starts: pass it as `since` to continue (MULTIDEVICE.md §5). */
  revision: bigint;
  globalVersion: bigint;
  /** The server cannot answer from `since` (ahead of the store, or older than its pruned history): list the whole store. */
  reset: boolean;
}

/**
 * Every page of `listChanges` after `since`, walking `has_more`, until the store's current revision; a reset ends
 * the walk (its page says from which revision to continue once the store was listed again).
 */
export async function* changesSince(client: VssClient, storeId: string, since: bigint, options: ChangesSinceOptions = {}): AsyncGenerator<ChangesPage> {
  let revision = since;
  for (;;) {
    const page: ListChangesResponse = await client.listChanges({ storeId, sinceRevision: revision, pageSize: options.pageSize }, options);
    yield { changes: page.changes, revision: page.revision, globalVersion: page.globalVersion, reset: page.reset };
    if (page.reset || !page.hasMore) return;
    if (page.revision <= revision) throw new InternalError("server violated the API: listChanges did not advance");
    revision = page.revision;
  }
}
