import { invalidRequest, noSuchKey, storeImporting } from "../errors";
import type { Store } from "../store/address";
import { readBatch } from "../store/core/batch-read";
import { readObject as readAbsent } from "../store/core/read";
import { GET_OBJECTS_BUDGET_BYTES, RPC_VALUE_BUDGET_BYTES } from "../store/limits";
import { isImporting, ZERO_HEAD, type Head, type Headed, type Importing, type StoredObject } from "../store/types";
import type { MemoryLease } from "./memory-budget";

/** How often a read of a chunked value starts over when a concurrent write replaced it mid-read. */
const READ_ATTEMPTS = 5;

/** A stored value with its version, as chunks that together are the value. */
export interface ReadValue {
  key: string;
  version: number;
  size: number;
  chunks: Uint8Array[];
}

/** The first part of a value as the store answers it (and the head it answered at); `chunkBytes` 0: the head alone. */
type FirstPart = (chunkBytes: number) => Promise<Headed<StoredObject | null> | Importing> | Headed<StoredObject | null>;

/**
 * Reads a value whole. A chunked value takes several RPC calls, each under the RPC size limit; every chunk comes
 * from the same immutable blob, and when a write replaces it (or the history drops it) meanwhile the read starts
 * over, so a reader never sees a mix of two versions. With `lease`, a large value's bytes are taken from the
 * isolate's memory budget before its chunks are fetched.
 */
async function readWhole(store: Store | null, key: string, first: FirstPart, lease?: MemoryLease): Promise<Headed<ReadValue | null>> {
  let reserved = 0;
  const reserve = async (size: number) => {
    if (!lease || size <= reserved) return;
    await lease.grow(size - reserved);
    reserved = size;
  };
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    const answer = await first(lease ? 0 : RPC_VALUE_BUDGET_BYTES);
    if (isImporting(answer)) throw storeImporting();
    const { head, value: part } = answer;
    if (part === null) return { head, value: null };
    if (part.kind === "inline") {
      await reserve(part.value.byteLength);
      return { head, value: { key, version: part.version, size: part.value.byteLength, chunks: [part.value] } };
    }
    await reserve(part.size);
    const chunks = store && (await readChunks(store, part.blobId, part.chunkCount, part.chunks));
    if (chunks) return { head, value: { key, version: part.version, size: part.size, chunks } };
  }
  throw new Error(`value of ${JSON.stringify(key)} kept changing during ${READ_ATTEMPTS} reads`);
}

/** getObject: the value of `key` whole, or null; a store that does not exist (null: store-gate.ts) answers as empty. */
export function readObject(store: Store | null, storeId: string, key: string, lease?: MemoryLease): Promise<Headed<ReadValue | null>> {
  return readWhole(store, key, (chunkBytes) => (store ? store.getObject(storeId, key, chunkBytes) : { head: ZERO_HEAD, value: readAbsent(null, key, 0) }), lease);
}

/**
 * getVersion (HISTORY.md §4): the value of `key` just after `revision`, whole, with the revision of the change that
 * made it; 404 when the key did not exist then, 400 for a revision outside the chain or a state no longer retained.
 */
export async function readVersion(store: Store | null, storeId: string, key: string, revision: number, lease: MemoryLease): Promise<{ head: Head; value: ReadValue; revision: number }> {
  let made = 0;
  const read = await readWhole(
    store,
    key,
    async (chunkBytes) => {
      if (!store) throw invalidRequest("revision must be 1 … 0 (the head)");
      const answer = await store.getVersion(storeId, key, revision, chunkBytes);
      if (isImporting(answer)) return answer;
      const version = answer.value;
      if (version.kind === "invalid" || version.kind === "pruned") throw invalidRequest(version.message);
      if (version.kind === "missing") throw noSuchKey(key, answer.head);
      made = version.revision;
      return { head: answer.head, value: version.object };
    },
    lease,
  );
  if (!read.value) throw noSuchKey(key, read.head);
  return { head: read.head, value: read.value, revision: made };
}

/** The chunks of a committed blob after those in hand, or null when a write replaced it meanwhile. */
async function readChunks(store: Store, blobId: number, chunkCount: number, chunks: Uint8Array[] = []): Promise<Uint8Array[] | null> {
  while (chunks.length < chunkCount) {
    const more = await store.readBlob(blobId, chunks.length);
    if (!more.ok) return null;
    if (more.value.length === 0) throw new Error(`blob ${blobId} has fewer chunks than its count`);
    chunks.push(...more.value);
  }
  return chunks;
}

/** What a getObjects answers: values in request order, keys not found, keys to ask for again. */
export interface ReadBatch {
  values: ReadValue[];
  missing: string[];
  remaining: string[];
}

/**
 * getObjects (MULTIDEVICE.md §7): the store picks the keys within the response budget and hands over small values
 * and the heads of large ones; their bytes are taken from the isolate's memory budget, then the large values are
 * read chunk batch by chunk batch. Every value is the one committed at the answer's head (HISTORY.md §2): a large
 * value whose bytes went meanwhile (replaced, with no past values kept) is not read again at a newer head but handed
 * back in `remaining`, ahead of the keys the budget left, for the client's next call.
 */
export async function readObjects(store: Store | null, storeId: string, keys: string[], lease: MemoryLease): Promise<Headed<ReadBatch>> {
  const answer = store ? await store.getObjects(storeId, keys, GET_OBJECTS_BUDGET_BYTES) : { head: ZERO_HEAD, value: readBatch(null, keys, GET_OBJECTS_BUDGET_BYTES) };
  if (isImporting(answer)) throw storeImporting();
  const batch = answer.value;
  await lease.grow(batch.entries.reduce((sum, entry) => sum + (entry.kind === "inline" ? entry.value.byteLength : entry.kind === "chunked" ? entry.size : 0), 0));
  const result: ReadBatch = { values: [], missing: [], remaining: [] };
  for (const entry of batch.entries) {
    if (entry.kind === "missing") {
      result.missing.push(entry.key);
    } else if (entry.kind === "inline") {
      result.values.push({ key: entry.key, version: entry.version, size: entry.value.byteLength, chunks: [entry.value] });
    } else {
      const chunks = store && (await readChunks(store, entry.blobId, entry.chunkCount));
      if (chunks) result.values.push({ key: entry.key, version: entry.version, size: entry.size, chunks });
      else {
        lease.shrink(entry.size);
        result.remaining.push(entry.key);
      }
    }
  }
  result.remaining.push(...batch.remaining);
  return { head: answer.head, value: result };
}
