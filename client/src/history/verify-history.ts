import { listAllKeyVersions } from "../client/list-all.js";
import type { CallOptions, VssClient } from "../client/vss-client.js";
import { getAllObjects } from "../multidevice/get-all-objects.js";
import { auditValue } from "./audit.js";
import type { ChainState } from "./chain.js";
import type { Checkpoint } from "./checkpoints.js";
import { ReplayedValueError } from "./errors.js";
import { followChain, type FollowResult } from "./follow.js";
import type { StoreHead } from "./head.js";
import type { HistoryPageFetcher } from "./pages.js";
import type { GapPolicy } from "./walk.js";

/** Options of {@link verifyHistory}. */
export interface VerifyHistoryOptions extends Pick<CallOptions, "signal" | "headers"> {
  /** A checkpoint (e.g. one kept by a verifying client, or written down by a person) that must lie on the chain. */
  from?: Checkpoint;
  /** A span the server no longer retains; default: accept (it is listed in `gaps`). Return false to refuse. */
  onGap?: GapPolicy;
  replayMemory?: number;
}

/** What {@link verifyHistory} proved. */
export interface HistoryReport extends FollowResult {
  storeId: string;
  /** The last revision proven (the store's head when the walk ended). */
  head: StoreHead;
  /** Old values written forward (restores, replayed requests, re-imports), oldest first. */
  replayed: ReplayedValueError[];
}

/** getHistory pages of one store through `client`. */
export function historyFetcher(client: VssClient, storeId: string, options: Pick<CallOptions, "signal" | "headers"> = {}): HistoryPageFetcher {
  return (afterRevision, resumeKey, pageSize) => client.getHistory({ storeId, afterRevision, resumeKey, pageSize }, options);
}

/**
 * Recomputes a store's whole retained chain with getHistory (HISTORY.md §3, §6): from its genesis when every
 * revision is retained (checking `base_digest` = D(0) of its incarnation and store id), else from `base_digest`;
 * proves `from` lies on it; reports gaps and values written forward. The report's `chain` audits values
 * ({@link auditValue}). Throws ForkError, RollbackError, IncarnationChangedError or UnverifiableGapError.
 */
export async function verifyHistory(client: VssClient, storeId: string, options: VerifyHistoryOptions = {}): Promise<HistoryReport> {
  const followed = await followChain({
    storeId,
    fetchPage: historyFetcher(client, storeId, options),
    checkpoint: options.from,
    onGap: options.onGap ?? (() => true),
    replayMemory: options.replayMemory,
  });
  const replayed = followed.replays.map((r) => new ReplayedValueError(storeId, r.key, r.revision, r.earlierRevision, r.valueSha256));
  return { ...followed, storeId, head: followed.chain.head, replayed };
}

/** Every current value of a store compared with a verified chain. */
export interface StoreAudit {
  /** The revision the values were read at (the chain's head: no revision committed while reading). */
  revision: bigint;
  matched: number;
  /** Keys whose last change is older than the retained chain: nothing to compare with. */
  unknown: string[];
  mismatched: { key: string; detail: string }[];
}

/**
 * Reads every key of a store (or of `prefix`) and audits each value against `chain`, whose head must still be the
 * store's: undefined when a revision was committed meanwhile (verify again, then audit again).
 */
export async function auditStore(client: VssClient, storeId: string, chain: ChainState, options: Pick<CallOptions, "signal"> & { prefix?: string } = {}): Promise<StoreAudit | undefined> {
  const { signal, prefix } = options;
  const listing = await listAllKeyVersions(client, { storeId, prefix, signal });
  const read = await getAllObjects(client, storeId, listing.keys.map((kv) => kv.key), { signal });
  const after = await client.getHistory({ storeId, afterRevision: chain.revision, pageSize: 1 }, { signal });
  if (after.headRevision !== chain.revision) return undefined;
  const audit: StoreAudit = { revision: chain.revision, matched: 0, unknown: [], mismatched: [] };
  const record = (key: string, value: Parameters<typeof auditValue>[2]) => {
    const outcome = auditValue(chain, key, value);
    if (outcome.result === "match") audit.matched++;
    else if (outcome.result === "unknown") audit.unknown.push(key);
    else audit.mismatched.push({ key, detail: outcome.detail });
  };
  for (const kv of read.values) record(kv.key, kv);
  const present = new Set(read.values.map((kv) => kv.key));
  for (const key of chain.liveKeys()) if (!present.has(key) && key.startsWith(prefix ?? "")) record(key, undefined);
  return audit;
}
