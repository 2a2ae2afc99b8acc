/** HISTORY.md §2: the headers that carry a store's head on every answer of a store-scoped route. */
export const REVISION_HEADER = "vss-revision";
export const DIGEST_HEADER = "vss-digest";

/** A store's head as an answer carried it: its revision and the digest of that revision (64 lower-case hex). */
export interface StoreHead {
  revision: bigint;
  digest: string;
}

/** The head of a store never written (or erased and not written since): revision 0, 64 zeros. */
export const ZERO_HEAD: StoreHead = { revision: 0n, digest: "0".repeat(64) };

/** How a head travels as text (headers, checkpoints, published heads): a canonical decimal revision, 64 lower-case hex digits. */
export const CANONICAL_REVISION = /^(0|[1-9][0-9]*)$/;
export const DIGEST_HEX = /^[0-9a-f]{64}$/;
/** A store's incarnation as text: 32 lower-case hex digits, or empty (a store never written). */
export const INCARNATION_HEX = /^([0-9a-f]{32})?$/;

/**
 * The head in `vss-revision` and `vss-digest`, or undefined when either is absent or not in its canonical form
 * (a server without the history extension; a verifying client refuses such an answer, others ignore it).
 */
export function readHead(headers: Headers): StoreHead | undefined {
  const revision = headers.get(REVISION_HEADER);
  const digest = headers.get(DIGEST_HEADER);
  if (revision === null || digest === null || !CANONICAL_REVISION.test(revision) || !DIGEST_HEX.test(digest)) return undefined;
  return { revision: BigInt(revision), digest };
}
