import { listAllKeyVersions } from "../client/list-all.js";
import type { VssClient } from "../client/vss-client.js";
import type { KeyValue } from "../gen/vss_pb.js";
import { getAllObjects } from "./get-all-objects.js";
import { watch, type WatchEvent, type WatchOptions } from "./watch.js";

/** What changed in a store, with the values: apply `values` and drop `deleted` (or, when `full`, replace everything). */
export interface SyncUpdate {
  /** True after a reset: `values` is the whole store, and every key not in it is gone. */
  full: boolean;
  /** The changed keys' current values (a value may be newer than `revision`: it was read afterwards). */
  values: KeyValue[];
  /** Keys deleted (or gone by the time their values were read). Empty when `full`. */
  deleted: string[];
  /** Every change up to this revision is reflected; resume a later sync with `since: revision`. */
  revision: bigint;
  globalVersion: bigint;
}

/** Options of {@link syncStore}: those of a watch, except that `since` defaults to 0 (the whole store first). */
export type SyncOptions = WatchOptions & {
  /** A verifying client only: audit every value read against the verified chain (ValueAuditError); default off. */
  audit?: boolean;
};

/** Turns one watch event into values: getObjects for the changed keys, or listKeyVersions + getObjects after a reset. */
export async function resolveEvent(client: VssClient, storeId: string, event: WatchEvent, signal?: AbortSignal, audit?: boolean): Promise<SyncUpdate> {
  if (event.type === "reset") {
    const { keys } = await listAllKeyVersions(client, { storeId, signal });
    const all = await getAllObjects(client, storeId, keys.map((kv) => kv.key), { signal, audit });
    return { full: true, values: all.values, deleted: [], revision: event.revision, globalVersion: event.globalVersion };
  }
  const deleted = event.changes.filter((change) => change.deleted).map((change) => change.key);
  const live = event.changes.filter((change) => !change.deleted).map((change) => change.key);
  const read = await getAllObjects(client, storeId, live, { signal, audit });
  return { full: false, values: read.values, deleted: [...deleted, ...read.missingKeys], revision: event.revision, globalVersion: event.globalVersion };
}

/**
 * Keeps a copy of a store up to date: the changes since `since` (default 0: every key, as a first sync), then
 * each change as it commits, as "these keys changed, here are their values; these were deleted". A reset (the
 * server cannot answer from `since`) is resolved here by listing the whole store again (`full: true`). With
 * `audit` (a verifying client), each value is checked against the verified chain as it is read.
 */
export async function* syncStore(client: VssClient, options: SyncOptions): AsyncGenerator<SyncUpdate, void, undefined> {
  for await (const event of watch(client, { ...options, since: options.since ?? 0n })) {
    yield await resolveEvent(client, options.storeId, event, options.signal, options.audit);
  }
}
