/**
 * The binary store-export format (docs/export-format.md): a magic line, a header frame, one item frame per key
 * in creation order, and an end frame. Values are raw bytes of any size, so nothing is base64'd or buffered whole.
 */

/** The first bytes of every export file. */
export const MAGIC = new TextEncoder().encode("vss-store-export/1\n");

export const FRAME_HEADER = 0x48; // "H"
export const FRAME_ITEM = 0x4b; // "K"
export const FRAME_END = 0x45; // "E"

/** What the header frame says about the store. */
export interface ExportHeader {
  identity: string;
  storeId: string;
  /** Decimal string (int64). */
  globalVersion: string;
  /** Keys the store held when the export began. */
  keys: number;
  /**
   * The store's chain at the export's revision (HISTORY.md §3), when it has one: its incarnation (32 hex digits),
   * head revision (decimal string) and head digest (64 hex digits). An import into an empty store continues it.
   */
  incarnation?: string;
  headRevision?: string;
  headDigest?: string;
}

/** What the end frame says: how many items and value bytes precede it, and the SHA-256 of every byte before it. */
export interface ExportEnd {
  keys: number;
  valueBytes: number;
  sha256: string;
}

const encoder = new TextEncoder();

/** A frame carrying JSON: type, u32 big-endian length, UTF-8 JSON. */
export function jsonFrame(type: number, value: unknown): Uint8Array {
  const json = encoder.encode(JSON.stringify(value));
  const frame = new Uint8Array(5 + json.byteLength);
  frame[0] = type;
  new DataView(frame.buffer).setUint32(1, json.byteLength);
  frame.set(json, 5);
  return frame;
}

/** The start of an item frame, up to its value: type, u32 key length, key, i64 version, u64 value length. */
export function itemFrameHead(key: string, version: number, size: number): Uint8Array {
  const keyBytes = encoder.encode(key);
  const head = new Uint8Array(1 + 4 + keyBytes.byteLength + 8 + 8);
  const view = new DataView(head.buffer);
  head[0] = FRAME_ITEM;
  view.setUint32(1, keyBytes.byteLength);
  head.set(keyBytes, 5);
  view.setBigInt64(5 + keyBytes.byteLength, BigInt(version));
  view.setBigUint64(13 + keyBytes.byteLength, BigInt(size));
  return head;
}
