import { createHash } from "node:crypto";

/** HISTORY.md §3: the digest of a revision, its store-bound genesis, and the base of a store older than history. */

export const DIGEST_BYTES = 32;
export const INCARNATION_BYTES = 16;
/** The head digest of a store never written, and the value hash of a deleted key. */
export const ZERO_DIGEST = new Uint8Array(DIGEST_BYTES);

const GENESIS = new TextEncoder().encode("vss-history-v1 genesis");
const REVISION = new TextEncoder().encode("vss-history-v1");
const BASE = new TextEncoder().encode("vss-history-v1 base");
const utf8 = new TextEncoder();

/** One key's state after a revision: written (its version and value hash) or deleted. */
export interface DigestChange {
  key: string;
  deleted: boolean;
  version: number;
  /** SHA-256 of the value bytes; ignored (32 zero bytes) when deleted. */
  valueSha256: Uint8Array;
}

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};
const i64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n));
  return b;
};

/** SHA-256 of `bytes` (a value as getObject returns it). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** D(0) = SHA-256("vss-history-v1 genesis" ‖ incarnation ‖ u32be(len) ‖ store_id). */
export function genesisDigest(incarnation: Uint8Array, storeId: string): Uint8Array {
  const id = utf8.encode(storeId);
  return sha256(GENESIS, incarnation, u32(id.byteLength), id);
}

/** Compares keys by their UTF-8 bytes, unsigned, a prefix first (not JavaScript's UTF-16 order). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(utf8.encode(a), utf8.encode(b));
}

/** The changes of a revision in the digest's order. */
export function sortChanges<T extends { key: string }>(changes: T[]): T[] {
  const encoded = changes.map((change) => ({ change, bytes: utf8.encode(change.key) }));
  encoded.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  return encoded.map((e) => e.change);
}

function feedChange(hash: ReturnType<typeof createHash>, change: DigestChange): void {
  const key = utf8.encode(change.key);
  hash.update(u32(key.byteLength));
  hash.update(key);
  hash.update(new Uint8Array([change.deleted ? 2 : 1]));
  hash.update(i64(change.deleted ? 0 : change.version));
  hash.update(change.deleted ? ZERO_DIGEST : change.valueSha256);
}

/**
 * D(r) = SHA-256("vss-history-v1" ‖ D(r−1) ‖ u64be(r) ‖ i64be(G(r)) ‖ u32be(n) ‖ changes…), the changes already in
 * key order (sortChanges). The message is laid out in one buffer and hashed in one call: this runs inside every
 * write's transaction.
 */
export function revisionDigest(previous: Uint8Array, revision: number, globalVersion: number, sortedChanges: readonly DigestChange[]): Uint8Array {
  const keys = sortedChanges.map((change) => utf8.encode(change.key));
  let size = REVISION.byteLength + 32 + 8 + 8 + 4;
  for (const key of keys) size += 4 + key.byteLength + 1 + 8 + 32;
  const message = new Uint8Array(size);
  const view = new DataView(message.buffer);
  message.set(REVISION, 0);
  let at = REVISION.byteLength;
  message.set(previous, at);
  view.setBigUint64((at += 32), BigInt(revision));
  view.setBigInt64((at += 8), BigInt(globalVersion));
  view.setUint32((at += 8), sortedChanges.length);
  at += 4;
  sortedChanges.forEach((change, i) => {
    const key = keys[i] ?? new Uint8Array(0);
    view.setUint32(at, key.byteLength);
    message.set(key, (at += 4));
    message[(at += key.byteLength)] = change.deleted ? 2 : 1;
    view.setBigInt64((at += 1), BigInt(change.deleted ? 0 : change.version));
    if (!change.deleted) message.set(change.valueSha256, at + 8);
    at += 8 + 32;
  });
  return sha256(message);
}

/** A digest over a fixed prefix and `count` changes fed one by one in key order, so that none is held whole. */
export class ChangesDigest {
  readonly #hash = createHash("sha256");
  #left: number;

  constructor(prefix: Uint8Array[], count: number) {
    this.#left = count;
    for (const part of prefix) this.#hash.update(part);
    this.#hash.update(u32(count));
  }

  add(change: DigestChange): void {
    if (this.#left-- <= 0) throw new Error("more changes than counted");
    feedChange(this.#hash, change);
  }

  digest(): Uint8Array {
    if (this.#left !== 0) throw new Error(`${this.#left} changes missing from the digest`);
    return new Uint8Array(this.#hash.digest());
  }
}

/** The digest of revision `revision` whose `count` changes will be fed in key order. */
export function revisionDigestOf(previous: Uint8Array, revision: number, globalVersion: number, count: number): ChangesDigest {
  return new ChangesDigest([REVISION, previous, u64(revision), i64(globalVersion)], count);
}

/**
 * The digest of a store that existed before history: D(R0) = SHA-256("vss-history-v1 base" ‖ D(0) ‖ u64be(R0) ‖
 * i64be(G(R0)) ‖ u32be(n) ‖ one written change per live key, in key order), its `count` live keys fed in key order.
 */
export function baseDigestOf(genesis: Uint8Array, revision: number, globalVersion: number, count: number): ChangesDigest {
  return new ChangesDigest([BASE, genesis, u64(revision), i64(globalVersion)], count);
}
