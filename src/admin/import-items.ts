import { createHash } from "node:crypto";
import { invalidRequest } from "../errors";
import { CHUNK_BYTES, MAX_ITEMS_PER_PUT, RPC_VALUE_BUDGET_BYTES } from "../store/limits";
import type { ImportPiece } from "../store/transfer/transfer";
import { IMPORT_VALUE_MAX_BYTES } from "../store/transfer/transfer";
import type { VssStore } from "../store/vss-store";
import { ByteReader, TruncatedStream } from "./byte-reader";
import { FRAME_ITEM } from "./frames";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A key is at most 600 characters, so at most 2400 UTF-8 bytes. */
const MAX_KEY_BYTES = 2400;

/**
 * Streams the item frames of one import request (docs/export-format.md) into the store, the first being item
 * `from`. Values are cut into chunk-sized pieces and sent in RPC batches of at most 16 MiB, so the Worker holds
 * one batch at a time whatever the request's size; each value is hashed as it streams. Returns the store's resume point after the last batch.
 */
export async function importItems(store: DurableObjectStub<VssStore>, importId: string, from: number, body: ReadableStream<Uint8Array>): Promise<number> {
  const reader = new ByteReader(body);
  let batch: ImportPiece[] = [];
  let batchBytes = 0;
  let received = from;
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await store.importPieces(importId, batch);
    batch = [];
    batchBytes = 0;
    if (!result.ok) throw invalidRequest(`import refused: ${result.error.message}`);
    received = result.value.received;
  };
  try {
    for (let ordinal = from; !(await reader.atEnd()); ordinal++) {
      const head = await readItemHead(reader, ordinal);
      const hash = createHash("sha256");
      for (let offset = 0; offset === 0 || offset < head.size; ) {
        const length = head.size <= CHUNK_BYTES ? head.size : Math.min(CHUNK_BYTES, head.size - offset);
        if (batch.length > 0 && (batchBytes + length > RPC_VALUE_BUDGET_BYTES || batch.length >= MAX_ITEMS_PER_PUT)) await flush();
        const bytes = await reader.read(length);
        hash.update(bytes);
        offset += length;
        // The last piece carries the whole value's SHA-256 (the history's digest covers it, HISTORY.md §3).
        const sha256 = offset >= head.size ? new Uint8Array(hash.digest()) : undefined;
        batch.push({ ordinal, key: head.key, version: head.version, size: head.size, offset: offset - length, bytes, sha256 });
        batchBytes += length;
        if (head.size === 0) break;
      }
    }
    await flush();
  } catch (error) {
    if (error instanceof TruncatedStream) throw invalidRequest(`import body: ${error.message}`);
    throw error;
  }
  return received;
}

async function readItemHead(reader: ByteReader, ordinal: number): Promise<{ key: string; version: number; size: number }> {
  const [type] = await reader.read(1);
  if (type !== FRAME_ITEM) throw invalidRequest(`import body: item ${ordinal} is not an item frame`);
  const keyLength = new DataView((await reader.read(4)).buffer).getUint32(0);
  if (keyLength > MAX_KEY_BYTES) throw invalidRequest(`import body: item ${ordinal} has an over-long key`);
  let key: string;
  try {
    key = decoder.decode(await reader.read(keyLength));
  } catch {
    throw invalidRequest(`import body: item ${ordinal} has a key that is not UTF-8`);
  }
  const numbers = new DataView((await reader.read(16)).buffer);
  const version = numbers.getBigInt64(0);
  const size = numbers.getBigUint64(8);
  if (version < 0n || version > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidRequest(`import body: item ${ordinal} has a version outside [0, 2^53)`);
  if (size > BigInt(IMPORT_VALUE_MAX_BYTES)) throw invalidRequest(`import body: item ${ordinal} is larger than ${IMPORT_VALUE_MAX_BYTES} bytes`);
  return { key, version: Number(version), size: Number(size) };
}
