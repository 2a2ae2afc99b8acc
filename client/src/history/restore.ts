import type { CallOptions, VssClient } from "../client/vss-client.js";
import { InvalidRequestError, NoSuchKeyError } from "../errors.js";
import type { KeyValue } from "../gen/vss_pb.js";
import { toHex, valueSha256 } from "./digest.js";
import { UnverifiableGapError } from "./errors.js";
import { historyRecords } from "./pages.js";
import { historyFetcher } from "./verify-history.js";

/** Why every restore warns: putting back an older channel state is exactly how a Lightning node loses funds. */
export const RESTORE_WARNING =
  "Restoring writes old values forward. Putting back an older Lightning channel state (channel monitors, the channel " +
  "manager) makes the node broadcast a revoked commitment and LOSE ITS FUNDS. Restore deleted or damaged data; never " +
  "roll back channel state.";

/** The forward write that puts a store (or a prefix of it) back as it was just after `revision`. */
export interface RestorePlan {
  storeId: string;
  revision: bigint;
  /** The head the plan was made at: its writes are conditional on the versions then. */
  headRevision: bigint;
  /** Values to put back, each at the key's current version (0: the key does not exist now). */
  puts: { key: string; version: bigint; value: Uint8Array; fromRevision: bigint }[];
  /** Keys that did not exist after `revision`, at their current version. */
  deletes: { key: string; version: bigint }[];
}

/**
 * Plans a restore to just after `revision` (HISTORY.md §6): the keys changed since (getHistory), each one's value
 * then (getVersion), compared with its value now. Throws UnverifiableGapError when the changes since are pruned and
 * InvalidRequestError (`pruned:`) when a value then is no longer retained. {@link RESTORE_WARNING} applies.
 */
export async function planRestore(client: VssClient, storeId: string, revision: bigint, options: Pick<CallOptions, "signal" | "headers"> & { prefix?: string } = {}): Promise<RestorePlan> {
  const prefix = options.prefix ?? "";
  const now = new Map<string, { deleted: boolean; version: bigint; sha: string }>();
  let headRevision = 0n;
  const onPage = (page: { headRevision: bigint }) => {
    headRevision = page.headRevision;
  };
  const first = await client.getHistory({ storeId, afterRevision: 0n, pageSize: 1 }, options);
  if (revision < 1n || revision > first.headRevision) throw new InvalidRequestError(`revision ${revision} is not between 1 and the head, ${first.headRevision}`);
  for await (const record of historyRecords(historyFetcher(client, storeId, options), revision, { onPage })) {
    if (record.changesPruned) throw new UnverifiableGapError({ storeId, fromRevision: revision, toRevision: record.revision });
    for (const c of record.changes) if (c.key.startsWith(prefix)) now.set(c.key, { deleted: c.deleted, version: c.version, sha: toHex(c.valueSha256) });
  }
  const plan: RestorePlan = { storeId, revision, headRevision, puts: [], deletes: [] };
  for (const [key, current] of now) {
    let then: { value: KeyValue; revision: bigint } | undefined;
    try {
      const found = await client.getVersion({ storeId, key, revision }, options);
      if (found.value) then = { value: found.value, revision: found.revision };
    } catch (error) {
      if (!(error instanceof NoSuchKeyError)) throw error;
    }
    if (!then) {
      if (!current.deleted) plan.deletes.push({ key, version: current.version });
    } else if (current.deleted || toHex(valueSha256(then.value.value)) !== current.sha) {
      plan.puts.push({ key, version: current.deleted ? 0n : current.version, value: then.value.value, fromRevision: then.revision });
    }
  }
  return plan;
}

/** Items and bytes of one putObjects of a restore: the server's 1000 items (CONTRACT.md §5.1), well under its body limit. */
const MAX_ITEMS = 1000;
const MAX_BYTES = 32 * 1024 * 1024;

/**
 * Writes a plan forward: putObjects at the versions the plan saw (a ConflictError if a key changed since), one
 * request when it fits, else several (not atomic together). Send `headers: { "vss-lease": token }` under a lease.
 * {@link RESTORE_WARNING} applies. Returns the number of requests sent.
 */
export async function applyRestore(client: VssClient, plan: RestorePlan, options: Pick<CallOptions, "signal" | "headers"> = {}): Promise<number> {
  type Item = { key: string; version: bigint; value?: Uint8Array };
  const items: Item[] = [...plan.puts, ...plan.deletes];
  let requests = 0;
  for (let start = 0; start < items.length; ) {
    const batch: Item[] = [];
    let bytes = 0;
    for (; start < items.length && batch.length < MAX_ITEMS; start++) {
      const item = items[start] as Item;
      const size = item.value?.length ?? 0;
      if (bytes + size > MAX_BYTES && batch.length > 0) break;
      bytes += size;
      batch.push(item);
    }
    const transactionItems = batch.filter((i) => i.value !== undefined).map((i) => ({ key: i.key, version: i.version, value: i.value }));
    const deleteItems = batch.filter((i) => i.value === undefined).map((i) => ({ key: i.key, version: i.version }));
    await client.putObjects({ storeId: plan.storeId, transactionItems, deleteItems }, options);
    requests++;
  }
  return requests;
}
