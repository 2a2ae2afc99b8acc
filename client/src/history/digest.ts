import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** HISTORY.md §3: the digest chain of a store's revisions, from a genesis bound to the store. */

export const DIGEST_BYTES = 32;
/** The digest of a store never written, and the value hash of a deleted key. */
export const ZERO_DIGEST = new Uint8Array(DIGEST_BYTES);

const utf8 = new TextEncoder();
const GENESIS_TAG = utf8.encode("vss-history-v1 genesis");
const REVISION_TAG = utf8.encode("vss-history-v1");
const BASE_TAG = utf8.encode("vss-history-v1 base");
const WRITTEN = 1;
const DELETED = 2;

/** One key's state after a revision: written (its version and the SHA-256 of its value) or deleted. */
export interface HistoryChange {
  key: string;
  deleted: boolean;
  /** The key's version after the revision; ignored (0) when deleted. */
  version: bigint;
  /** SHA-256 of the value bytes; ignored (32 zero bytes) when deleted. */
  valueSha256: Uint8Array;
}

/** SHA-256 of a value exactly as getObject returns it. */
export function valueSha256(value: Uint8Array): Uint8Array {
  return sha256(value);
}

/** Lower-case hex, as the `vss-digest` header carries a digest. */
export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/** A digest from a message body: an empty one means 32 zero bytes (HISTORY.md §3). */
export function digestOf(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? ZERO_DIGEST : bytes;
}

/**
 * Compares keys by their UTF-8 bytes as unsigned values, first difference wins, a prefix first — the digest's
 * order, which is not JavaScript's default (UTF-16) string order above U+FFFF.
 */
export function compareKeyBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

class Writer {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  bytes(part: Uint8Array): this {
    this.#parts.push(part);
    this.#length += part.length;
    return this;
  }

  u8(n: number): this {
    return this.bytes(Uint8Array.of(n));
  }

  u32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return this.bytes(b);
  }

  u64(n: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n);
    return this.bytes(b);
  }

  i64(n: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, n);
    return this.bytes(b);
  }

  /** u32be(n) ‖ change_1 ‖ … ‖ change_n, the changes sorted by their keys' UTF-8 bytes. */
  changes(changes: readonly HistoryChange[]): this {
    const encoded = changes.map((change) => ({ change, key: utf8.encode(change.key) }));
    encoded.sort((a, b) => compareKeyBytes(a.key, b.key));
    this.u32(encoded.length);
    for (const { change, key } of encoded) {
      this.u32(key.length).bytes(key).u8(change.deleted ? DELETED : WRITTEN);
      this.i64(change.deleted ? 0n : change.version).bytes(change.deleted ? ZERO_DIGEST : change.valueSha256);
    }
    return this;
  }

  sha256(): Uint8Array {
    const message = new Uint8Array(this.#length);
    let at = 0;
    for (const part of this.#parts) {
      message.set(part, at);
      at += part.length;
    }
    return sha256(message);
  }
}

/** D(0) = SHA-256("vss-history-v1 genesis" ‖ incarnation (16 bytes) ‖ u32be(len) ‖ store_id). */
export function genesisDigest(incarnation: Uint8Array, storeId: string): Uint8Array {
  const id = utf8.encode(storeId);
  return new Writer().bytes(GENESIS_TAG).bytes(incarnation).u32(id.length).bytes(id).sha256();
}

/** D(r) = SHA-256("vss-history-v1" ‖ D(r−1) ‖ u64be(r) ‖ i64be(G(r)) ‖ u32be(n) ‖ changes in key-byte order). */
export function revisionDigest(previous: Uint8Array, revision: bigint, globalVersion: bigint, changes: readonly HistoryChange[]): Uint8Array {
  return new Writer().bytes(REVISION_TAG).bytes(previous).u64(revision).i64(globalVersion).changes(changes).sha256();
}

/** D(R0) of a store older than history: SHA-256("vss-history-v1 base" ‖ D(0) ‖ u64be(R0) ‖ i64be(G(R0)) ‖ live keys). */
export function baseDigest(genesis: Uint8Array, revision: bigint, globalVersion: bigint, live: readonly HistoryChange[]): Uint8Array {
  return new Writer().bytes(BASE_TAG).bytes(genesis).u64(revision).i64(globalVersion).changes(live).sha256();
}
