import type { Env } from "../env";
import type { PutRequest } from "../codec/requests";
import { CHUNK_BYTES, GET_OBJECTS_BUDGET_BYTES, INLINE_VALUE_MAX_BYTES, RPC_VALUE_BUDGET_BYTES } from "../store/limits";
import { storeImporting } from "../errors";
import { isImporting, type PutFailure, type PutItem, type PutObjectsInput, type Result, type WriteContext } from "../store/types";
import { readObject as readStoredObject } from "../store/core/read";
import { readBatch } from "../store/core/batch-read";
import { refusalOnAbsentStore } from "../store/core/absent";
import { isNoop } from "../store/core/writes";
import type { MemoryLease } from "./memory-budget";
import type { Store } from "../store/address";
import { existingStore, forgetStore, storeToCreate } from "./store-gate";

/** How often a read of a chunked value starts over when a concurrent write replaced it mid-read. */
const READ_ATTEMPTS = 5;

/** A stored value with its version, as chunks that together are the value. */
export interface ReadValue {
  key: string;
  version: number;
  size: number;
  chunks: Uint8Array[];
}

/**
 * Reads a value whole. A chunked value takes several RPC calls, each under the RPC size limit; every chunk comes
 * from the same immutable blob, and when a write replaces it meanwhile the read starts over, so a reader never
 * sees a mix of two versions. A store that does not exist (null: worker/store-gate.ts) answers as empty. With `lease`, a large value's bytes are taken from the isolate's memory budget
 * before its chunks are fetched.
 */
export async function readObject(store: Store | null, key: string, lease?: MemoryLease): Promise<ReadValue | null> {
  let reserved = 0;
  const reserve = async (size: number) => {
    if (!lease || size <= reserved) return;
    await lease.grow(size - reserved);
    reserved = size;
  };
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    const head = store ? await store.getObject(key, lease ? 0 : RPC_VALUE_BUDGET_BYTES) : readStoredObject(null, key, 0);
    if (head === null) return null;
    if (isImporting(head)) throw storeImporting();
    if (head.kind === "inline") {
      await reserve(head.value.byteLength);
      return { key, version: head.version, size: head.value.byteLength, chunks: [head.value] };
    }
    await reserve(head.size);
    const chunks = store && (await readChunks(store, head.blobId, head.chunkCount, head.chunks));
    if (chunks) return { key, version: head.version, size: head.size, chunks };
  }
  throw new Error(`value of ${JSON.stringify(key)} kept changing during ${READ_ATTEMPTS} reads`);
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
 * read chunk batch by chunk batch. Each value is a whole committed version: one replaced while it is read is read
 * again whole (it may then be a newer version, or gone).
 */
export async function readObjects(store: Store | null, keys: string[], lease: MemoryLease): Promise<ReadBatch> {
  const batch = store ? await store.getObjects(keys, GET_OBJECTS_BUDGET_BYTES) : readBatch(null, keys, GET_OBJECTS_BUDGET_BYTES);
  if (isImporting(batch)) throw storeImporting();
  await lease.grow(batch.entries.reduce((sum, entry) => sum + (entry.kind === "inline" ? entry.value.byteLength : entry.kind === "chunked" ? entry.size : 0), 0));
  const result: ReadBatch = { values: [], missing: [], remaining: batch.remaining };
  for (const entry of batch.entries) {
    if (entry.kind === "missing") {
      result.missing.push(entry.key);
    } else if (entry.kind === "inline") {
      result.values.push({ key: entry.key, version: entry.version, size: entry.value.byteLength, chunks: [entry.value] });
    } else {
      const chunks = store && (await readChunks(store, entry.blobId, entry.chunkCount));
      const value = chunks ? { key: entry.key, version: entry.version, size: entry.size, chunks } : await readObject(store, entry.key, lease);
      if (value) result.values.push(value);
      else result.missing.push(entry.key);
    }
  }
  return result;
}

/** Uploads one large value to the store in chunk batches under the RPC limit; records and returns its staged blob id. */
async function stage(store: Store, value: Uint8Array, staged: number[]): Promise<number> {
  const perCall = Math.max(1, Math.floor(RPC_VALUE_BUDGET_BYTES / CHUNK_BYTES));
  let blobId: number | null = null;
  let seq = 0;
  for (let offset = 0; offset < value.byteLength; ) {
    const batch: Uint8Array[] = [];
    while (batch.length < perCall && offset < value.byteLength) {
      batch.push(value.slice(offset, offset + CHUNK_BYTES));
      offset += CHUNK_BYTES;
    }
    const result = await store.stageChunks(blobId, seq, batch);
    if (!result.ok) throw result.error === "importing" ? storeImporting() : new Error(`staging failed: ${result.error}`);
    if (blobId === null) staged.push(result.value);
    blobId = result.value;
    seq += batch.length;
  }
  if (blobId === null) throw new Error("stage() needs a non-empty value");
  return blobId;
}

/** Whether a put must stage values before its final call: one over a chunk, or more than one call's budget in all. */
function needsStaging(request: PutRequest): boolean {
  let total = 0;
  for (const { value } of request.puts) {
    if (value.byteLength > INLINE_VALUE_MAX_BYTES) return true;
    total += value.byteLength;
  }
  return total > RPC_VALUE_BUDGET_BYTES;
}

/** The put with each value replaced by its size: what a precheck needs. */
function planned(request: PutRequest): PutObjectsInput {
  return {
    globalVersion: request.globalVersion,
    puts: request.puts.map(({ key, version, value }) => ({ key, version, value: { kind: "planned", size: value.byteLength } })),
    deletes: request.deletes,
  };
}

/**
 * Values decoded from a request are views into the whole body, and RPC serializes a view's entire buffer:
 * every value that crosses RPC is copied out first (slice), so a call carries only its own bytes.
 *
 * Writes a putObjects. On a store that does not exist, a write that cannot apply to an empty store (a version or
 * a token it cannot match) or that changes nothing is answered here, and any other registers the store first
 * (store-gate.ts): neither reaches an object before it could create a store. A put that must stage values is
 * first prechecked, so that one the store would refuse (conflict, quota) uploads nothing. Values over one chunk
 * are then staged, chunk batch by chunk batch; small values go in the final call up to its budget, and the small
 * values past it are staged together, a budget's worth per call (so a request of many small values costs a few
 * calls, not one per value). If the request fails before its final call, what it staged is dropped at once. The
 * final call applies everything atomically; this resolves only after the store has committed.
 */
export async function writeObjects(env: Env, context: WriteContext, request: PutRequest): Promise<Result<null, PutFailure>> {
  let store = await existingStore(env, context.identity, context.storeId);
  if (!store) {
    const plan = planned(request);
    const refusal = refusalOnAbsentStore(plan, context.lease);
    if (refusal) return { ok: false, error: refusal };
    if (isNoop(plan)) return { ok: true, value: null };
    const created = await storeToCreate(env, context);
    if (!created.ok) return created;
    store = created.value;
  }
  const result = await stageAndPut(store, context, request);
  if (!result.ok) forgetStore(context.identity, context.storeId);
  return result;
}

async function stageAndPut(store: Store, context: WriteContext, request: PutRequest): Promise<Result<null, PutFailure>> {
  if (needsStaging(request)) {
    const admitted = await store.precheck(context, planned(request));
    if (!admitted.ok) return admitted;
  }
  const staged: number[] = [];
  let input: PutObjectsInput;
  try {
    input = await stageAndPlan(store, request, staged);
  } catch (error) {
    if (staged.length > 0) await store.dropStaged(staged).catch(() => undefined);
    throw error;
  }
  return store.putObjects(context, input);
}

/** Stages what does not fit in the final call (recording each staged blob id) and returns that call's input. */
async function stageAndPlan(store: Store, request: PutRequest, staged: number[]): Promise<PutObjectsInput> {
  let inlineBytes = 0;
  const puts: PutItem[] = [];
  const overflow: { values: Uint8Array[]; items: PutItem[]; bytes: number }[] = [];
  for (const item of request.puts) {
    const size = item.value.byteLength;
    if (size > INLINE_VALUE_MAX_BYTES) {
      puts.push({ key: item.key, version: item.version, value: { kind: "staged", blobId: await stage(store, item.value, staged), size } });
    } else if (inlineBytes + size <= RPC_VALUE_BUDGET_BYTES) {
      inlineBytes += size;
      puts.push({ key: item.key, version: item.version, value: { kind: "inline", bytes: item.value.slice() } });
    } else {
      let batch = overflow.at(-1);
      if (!batch || batch.bytes + size > RPC_VALUE_BUDGET_BYTES) overflow.push((batch = { values: [], items: [], bytes: 0 }));
      const put: PutItem = { key: item.key, version: item.version, value: { kind: "staged", blobId: 0, size } };
      batch.values.push(item.value.slice());
      batch.items.push(put);
      batch.bytes += size;
      puts.push(put);
    }
  }
  for (const batch of overflow) {
    const ids = await store.stageValues(batch.values);
    if (isImporting(ids)) throw storeImporting();
    staged.push(...ids);
    batch.items.forEach((put, i) => {
      if (put.value.kind === "staged") put.value.blobId = ids[i] ?? 0;
    });
  }
  return { globalVersion: request.globalVersion, puts, deletes: request.deletes };
}
