import { hexToBytes } from "@noble/hashes/utils.js";
import { InternalError } from "../errors.js";
import type { GetHistoryResponse, Revision } from "../gen/history_pb.js";
import type { ChainState, VerifiedRevision } from "./chain.js";
import { digestOf, genesisDigest, revisionDigest, toHex, type HistoryChange } from "./digest.js";
import { ForkError, IncarnationChangedError, UnverifiableGapError, type HistoryGap } from "./errors.js";
import type { StoreHead } from "./head.js";
import { historyRecords, type HistoryPageFetcher } from "./pages.js";

/** The gap policy: true (or nothing) accepts a gap and goes on from the server's digest; false refuses it. */
export type GapPolicy = (gap: HistoryGap) => boolean | void | Promise<boolean | void>;

/** Where a walk starts, and what it calls. */
export interface WalkOptions {
  storeId: string;
  fetchPage: HistoryPageFetcher;
  /** The proven point to recompute from (revision 0: the store never written, chained from its genesis). */
  from: { revision: bigint; digest: Uint8Array; incarnation?: string };
  /** The last revision to prove; default: the head the pages report. */
  until?: bigint;
  onGap: GapPolicy;
  /** Each revision proven, in order. */
  onRevision: (verified: VerifiedRevision) => void;
  onPage?: (page: GetHistoryResponse) => void;
}

/** Where a walk ended: the last revision it proved, and the store's incarnation. */
export interface WalkEnd {
  revision: bigint;
  digest: Uint8Array;
  incarnation: string;
  /** The head of the last page. */
  head: StoreHead;
}

/** A record's changes as the digest takes them (an empty hash in a message means 32 zero bytes). */
export function recordChanges(record: Revision): HistoryChange[] {
  return record.changes.map((c) => ({ key: c.key, deleted: c.deleted, version: c.deleted ? 0n : c.version, valueSha256: digestOf(c.valueSha256) }));
}

const same = (a: Uint8Array, b: Uint8Array) => toHex(a) === toHex(b);

/**
 * Recomputes every digest after `from` with getHistory (HISTORY.md §6): each record's digest must be the one its
 * changes give, chained from the one before, starting from `from.digest`. The server's digest of `from.revision`
 * itself is compared too. A span whose changes are pruned (or older than a pre-history base) is a gap: the policy
 * decides, and an accepted gap goes on from the server's digest. A page of another incarnation ends the walk with
 * IncarnationChangedError. Throws ForkError where the history does not recompute.
 */
export async function walkChain(options: WalkOptions): Promise<WalkEnd> {
  const { storeId, from } = options;
  let revision = from.revision;
  let digest = from.digest;
  let incarnation = from.incarnation;
  let head: StoreHead = { revision, digest: toHex(digest) };
  let page: GetHistoryResponse | undefined;
  let gapFrom: bigint | undefined;
  const fork = (detail: string) => new ForkError(storeId, { revision: from.revision, digest: toHex(from.digest) }, head, detail);
  const settleGap = async () => {
    if (gapFrom === undefined) return;
    const gap = { storeId, fromRevision: gapFrom, toRevision: revision };
    gapFrom = undefined;
    if ((await options.onGap(gap)) === false) throw new UnverifiableGapError(gap);
  };
  const onPage = (next: GetHistoryResponse) => {
    page = next;
    head = { revision: next.headRevision, digest: toHex(digestOf(next.headDigest)) };
    const current = toHex(next.incarnation);
    if (incarnation === undefined || (incarnation === "" && from.revision === 0n)) incarnation = current;
    else if (current !== incarnation) throw new IncarnationChangedError(storeId, incarnation, current, { revision: from.revision, digest: toHex(from.digest) }, head);
    options.onPage?.(next);
  };
  const after = from.revision > 0n ? from.revision - 1n : 0n;
  for await (const record of historyRecords(options.fetchPage, after, { until: options.until, onPage })) {
    if (record.revision <= revision) {
      if (record.revision === from.revision && record.digest.length > 0 && !same(record.digest, from.digest)) throw fork(`the server's digest of revision ${record.revision} is not the proven one`);
      continue;
    }
    const bounds = page as GetHistoryResponse;
    if (record.revision !== revision + 1n) {
      // A store older than history has records from its base R0 + 1 only; anything else missing is a forgery.
      if (record.revision !== bounds.oldestRevision) throw fork(`getHistory skips from revision ${revision} to ${record.revision}`);
      gapFrom ??= revision;
      revision = record.revision - 1n;
      digest = digestOf(bounds.baseDigest);
      options.onRevision({ revision, digest, globalVersion: undefined, changes: null });
    }
    const previous = revision === 0n ? genesisDigest(bounds.incarnation, storeId) : digest;
    if (record.changesPruned) {
      gapFrom ??= revision;
      revision = record.revision;
      digest = digestOf(record.digest);
      options.onRevision({ revision, digest, globalVersion: record.globalVersion, committedAtMs: record.committedAtMs, changes: null });
      continue;
    }
    await settleGap();
    const changes = recordChanges(record);
    const recomputed = revisionDigest(previous, record.revision, record.globalVersion, changes);
    if (!same(recomputed, digestOf(record.digest))) throw fork(`revision ${record.revision} does not recompute from the chain before it`);
    revision = record.revision;
    digest = recomputed;
    options.onRevision({ revision, digest, globalVersion: record.globalVersion, committedAtMs: record.committedAtMs, changes });
  }
  await settleGap();
  if (!page) throw new InternalError("getHistory answered no page");
  return { revision, digest, incarnation: incarnation ?? "", head };
}

/**
 * Whether an older head lies on a proven chain: its digest remembered, or the chain recomputed from it with
 * getHistory reaching the proven head (a different digest there and changes hashing to the same head would be a
 * SHA-256 collision). False: a fork. A span the server no longer retains throws UnverifiableGapError; any other
 * failure of getHistory throws as it came.
 */
export async function liesOnChain(storeId: string, fetchPage: HistoryPageFetcher, state: ChainState, head: StoreHead): Promise<boolean> {
  const known = state.digestAt(head.revision);
  if (known !== undefined) return known === head.digest;
  try {
    const end = await walkChain({
      storeId,
      fetchPage,
      from: { revision: head.revision, digest: hexToBytes(head.digest), incarnation: state.incarnation },
      until: state.revision,
      onGap: () => false,
      onRevision: () => undefined,
    });
    return end.revision === state.revision && same(end.digest, state.digest);
  } catch (error) {
    if (error instanceof ForkError) return false;
    throw error;
  }
}
