import type { HistorySettings } from "./history/record";

/**
 * The plain domain objects that cross the Workers RPC boundary between the Worker and a store's Durable Object.
 * No protobuf here: the codec converts at the edge.
 */

/** Expected failures travel as values: an exception thrown in a Durable Object loses its class over RPC. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** A requested version: -1 (unconditional), 0 (create only), or N (must equal N). NEVER_MATCHES for the rest. */
export type RequestedVersion = number;

/** A version no stored record can have (negative other than -1, or beyond the safe-integer range). */
export const NEVER_MATCHES = -2;

/**
 * A value carried in the RPC call itself, or one staged beforehand in chunks (see stageChunks), or — only in a
 * precheck, before staging — just its size. A value to write comes with the SHA-256 of its bytes (the Worker
 * hashes it): the history's digest covers it (HISTORY.md §3).
 */
export type PutValue =
  | { kind: "inline"; bytes: Uint8Array; sha256: Uint8Array }
  | { kind: "staged"; blobId: number; size: number; sha256: Uint8Array }
  | { kind: "planned"; size: number };

export interface PutItem {
  key: string;
  version: RequestedVersion;
  value: PutValue;
}

export interface DeleteItem {
  key: string;
  version: RequestedVersion;
}

export interface PutObjectsInput {
  /** Absent: no check and no bump of the store-level version. */
  globalVersion?: RequestedVersion;
  puts: PutItem[];
  deletes: DeleteItem[];
}

/** Why a write applied nothing: a failed version check, a lease it does not hold, a quota, or a staged value no longer held. */
export interface PutFailure {
  kind: "conflict" | "fenced" | "quota" | "staged-value-missing" | "unavailable" | "importing";
  message: string;
  /** The store's head when the store refused it (HISTORY.md §2: a refused write is as checkable as a value). */
  head?: Head;
}

/** The store's head (HISTORY.md §2): its revision and that revision's digest (32 zero bytes at revision 0). */
export interface Head {
  revision: number;
  digest: Uint8Array;
}

/** The head of a store never written, or erased and not written since. */
export const ZERO_HEAD: Head = { revision: 0, digest: new Uint8Array(32) };

/** An answer and the head at which the store served it. */
export interface Headed<T> {
  head: Head;
  value: T;
}

/**
 * Answered instead of a result while an operator's import fills the store (src/store/transfer/transfer.ts): the Worker
 * turns it into a retryable 503, so a wallet never sees a half-imported store.
 */
export interface Importing {
  importing: true;
}

export const IMPORTING: Importing = { importing: true };

export function isImporting(answer: unknown): answer is Importing {
  return typeof answer === "object" && answer !== null && (answer as Partial<Importing>).importing === true;
}

/** What a store holds: bytes (UTF-8 key length + value length, summed over its keys) and keys. */
export interface Usage {
  bytes: number;
  keys: number;
}

/** Quota limits; 0 on a dimension means unlimited. */
export type Limits = Usage;

/** Who writes, and under which quotas: sent by the Worker with every write. */
export interface WriteContext {
  identity: string;
  storeId: string;
  storeLimits: Limits;
  /** Limits over all of the identity's stores; null when off (no call to the account object). */
  identityLimits: Limits | null;
  /** How many stores the identity may have (0 = unlimited); checked when a store registers. */
  identityStores: number;
  /** The `vss-lease` token the write carries, or null when it sent none (MULTIDEVICE.md §4). */
  lease: string | null;
  /** How long deleted keys stay in the change feed, in ms (VSS_CHANGES_RETENTION_DAYS). */
  changeRetentionMs: number;
  /** What history the store keeps (VSS_HISTORY_*). */
  history: HistorySettings;
}

/** What a store returns for getObject; a large value comes in chunks that the caller finishes with readBlob. */
export type StoredObject =
  | { key: string; version: number; kind: "inline"; value: Uint8Array }
  | { key: string; version: number; kind: "chunked"; blobId: number; size: number; chunkCount: number; chunks: Uint8Array[] };

export interface ListInput {
  prefix: string;
  pageSize: number;
  /** Absent on the first page; otherwise the creation sequence the previous page ended at (exclusive). */
  before?: number;
}

export interface ListPage {
  keyVersions: { key: string; version: number }[];
  /** Creation sequence of the last key returned when more keys follow; absent on the last page. */
  nextBefore?: number;
  /** Present on the first page only. */
  globalVersion?: number;
}
