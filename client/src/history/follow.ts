import { ChainState, type Replay } from "./chain.js";
import type { Checkpoint } from "./checkpoints.js";
import { digestOf, genesisDigest, toHex, ZERO_DIGEST } from "./digest.js";
import { ForkError, IncarnationChangedError, RollbackError, UnverifiableGapError, type HistoryGap } from "./errors.js";
import type { StoreHead } from "./head.js";
import type { HistoryPageFetcher } from "./pages.js";
import { walkChain, type GapPolicy } from "./walk.js";

/** What {@link followChain} follows, and how. */
export interface FollowOptions {
  storeId: string;
  fetchPage: HistoryPageFetcher;
  /** A checkpoint that must lie on the chain: its digest is compared where the chain passes its revision. */
  checkpoint?: Checkpoint;
  /** The last revision to follow; default: the head. */
  until?: bigint;
  onGap: GapPolicy;
  replayMemory?: number;
}

/** The chain as followed from its retained base. */
export interface FollowResult {
  chain: ChainState;
  incarnation: string;
  /** Where recomputing began: the genesis (revision 0), or the digest before the first retained revision. */
  base: { revision: bigint; digest: string; genesis: boolean };
  /** Revisions whose digests were recomputed from their changes. */
  recomputed: number;
  gaps: HistoryGap[];
  replays: Replay[];
}

const headOf = (checkpoint: Checkpoint): StoreHead => ({ revision: checkpoint.revision, digest: checkpoint.digest });

/**
 * Follows a store's retained chain from its base (HISTORY.md §4 `oldest_revision` / `base_digest`): from the
 * store's genesis when every revision is retained (then `base_digest` must be D(0) of its incarnation and store
 * id, and every key's last change is known), else from `base_digest`. Every digest after it is recomputed; a
 * checkpoint given is proven to lie on the chain (older than the base: compared with the server's digest of its
 * revision, and the span up to the base is a gap for the policy).
 */
export async function followChain(options: FollowOptions): Promise<FollowResult> {
  const { storeId, fetchPage, checkpoint } = options;
  const first = await fetchPage(0n, undefined, 1);
  const incarnation = toHex(first.incarnation);
  const head: StoreHead = { revision: first.headRevision, digest: toHex(digestOf(first.headDigest)) };
  if (checkpoint && checkpoint.revision > 0n && checkpoint.incarnation !== undefined && checkpoint.incarnation !== incarnation) {
    throw new IncarnationChangedError(storeId, checkpoint.incarnation, incarnation, headOf(checkpoint), head);
  }
  if (checkpoint && checkpoint.revision > head.revision) throw new RollbackError(storeId, headOf(checkpoint), head);
  const genesis = first.oldestRevision === 1n || head.revision === 0n;
  const baseRevision = genesis ? 0n : first.oldestRevision - 1n;
  const base = head.revision === 0n ? ZERO_DIGEST : digestOf(first.baseDigest);
  const fork = (detail: string) => new ForkError(storeId, checkpoint && headOf(checkpoint), head, detail);
  if (first.oldestRevision === 1n && head.revision > 0n && toHex(base) !== toHex(genesisDigest(first.incarnation, storeId))) {
    throw fork("base_digest is not the genesis of this store's incarnation");
  }
  const gaps: HistoryGap[] = [];
  const onGap: GapPolicy = (gap) => {
    gaps.push(gap);
    return options.onGap(gap);
  };
  if (checkpoint && checkpoint.revision > 0n && checkpoint.revision <= baseRevision) {
    const page = await fetchPage(checkpoint.revision - 1n, undefined, 1);
    const record = page.revisions[0];
    const digest = checkpoint.revision === baseRevision ? toHex(base) : record?.revision === checkpoint.revision ? toHex(digestOf(record.digest)) : undefined;
    if (digest !== undefined && digest !== checkpoint.digest) throw fork(`the server's digest of revision ${checkpoint.revision} is not the checkpoint's`);
    if (checkpoint.revision < baseRevision) {
      const gap = { storeId, fromRevision: checkpoint.revision, toRevision: baseRevision };
      if ((await onGap(gap)) === false) throw new UnverifiableGapError(gap);
    }
  }
  const chain = new ChainState({ revision: baseRevision, digest: genesis ? ZERO_DIGEST : base, incarnation, complete: genesis }, options.replayMemory);
  const replays: Replay[] = [];
  let recomputed = 0;
  const end = await walkChain({
    storeId,
    fetchPage,
    from: { revision: baseRevision, digest: base, incarnation },
    until: options.until,
    onGap,
    onRevision: (verified) => {
      if (checkpoint && verified.revision === checkpoint.revision && toHex(verified.digest) !== checkpoint.digest) throw fork(`the chain's digest of revision ${checkpoint.revision} is not the checkpoint's`);
      if (verified.changes) recomputed++;
      replays.push(...chain.commit(verified));
    },
  });
  if (end.revision === end.head.revision && toHex(end.digest) !== end.head.digest) throw fork(`the chain recomputes to another digest than the head's at revision ${end.revision}`);
  return { chain, incarnation, base: { revision: baseRevision, digest: toHex(genesis ? ZERO_DIGEST : base), genesis }, recomputed, gaps, replays };
}
