import type { ChangedKeys } from "../feed/changes";
import { genesisDigest, INCARNATION_BYTES, revisionDigest, sortChanges, ZERO_DIGEST } from "./digest";
import { CHANGE_RECORD_BYTES, type HistorySql } from "./history-sql";

/** What history a write keeps (README § Configuration): carried by every write, kept for the background pruning. */
export interface HistorySettings {
  /** How long a replaced or deleted value is retained at least (VSS_HISTORY_VALUES_DAYS); 0 keeps none. */
  valuesMs: number;
  /** How long a revision's changes are retained at least (VSS_HISTORY_RETENTION_DAYS). */
  retentionMs: number;
  /** The history's own allowance, records plus retained values (VSS_HISTORY_BYTES). */
  allowanceBytes: number;
}

/** The store's chain as it stands before a revision: its incarnation and head digest (null: never written). */
export interface ChainHead {
  incarnation: Uint8Array | null;
  headDigest: Uint8Array | null;
}

/** What recording a revision produced: the new head digest, the incarnation, the genesis when it is new, bytes added. */
export interface RecordedRevision {
  digest: Uint8Array;
  incarnation: Uint8Array;
  /** D(0) when this is the store's first revision (its incarnation was chosen now), else null. */
  genesis: Uint8Array | null;
  bytes: number;
}

const utf8 = new TextEncoder();

/**
 * Records revision `revision` inside the write's own transaction (HISTORY.md §3): its digest chained from the head
 * (or from D(0), with a new incarnation, for the store's first revision), its record and one change record per key
 * the write changed, in key order. The digest is durable with the write, or neither is.
 */
export function recordRevision(history: HistorySql, chain: ChainHead, revision: number, globalVersion: number, keys: ChangedKeys, now: number, storeId: string): RecordedRevision {
  let incarnation = chain.incarnation;
  let previous = chain.headDigest;
  let genesis: Uint8Array | null = null;
  if (incarnation === null || previous === null) {
    if (revision !== 1) throw new Error(`revision ${revision} of a store without an incarnation: its base was never computed`);
    incarnation = crypto.getRandomValues(new Uint8Array(INCARNATION_BYTES));
    previous = genesis = genesisDigest(incarnation, storeId);
  }
  const changes = sortChanges(
    [...keys].map(([key, change]) => ({ key, deleted: change.deleted, version: change.deleted ? 0 : change.version, valueSha256: change.sha256 ?? ZERO_DIGEST })),
  );
  const digest = revisionDigest(previous, revision, globalVersion, changes);
  history.insertRevision({ revision, digest, committedAt: now, globalVersion });
  let bytes = 0;
  for (const change of changes) {
    history.insertChange({ revision, key: change.key, deleted: change.deleted, version: change.version, valueSha256: change.deleted ? null : change.valueSha256 });
    bytes += CHANGE_RECORD_BYTES + utf8.encode(change.key).byteLength;
  }
  return { digest, incarnation, genesis, bytes };
}
