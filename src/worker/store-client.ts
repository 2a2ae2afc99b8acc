import type { Env } from "../env";
import type { PutRequest } from "../codec/requests";
import { CHUNK_BYTES, INLINE_VALUE_MAX_BYTES, RPC_VALUE_BUDGET_BYTES } from "../store/limits";
import { storeImporting } from "../errors";
import { isImporting, ZERO_HEAD, type Head, type PutFailure, type PutItem, type PutObjectsInput, type Result, type WriteContext } from "../store/types";
import { refusalOnAbsentStore } from "../store/core/absent";
import { isNoop } from "../store/core/writes";
import { sha256 } from "../store/history/digest";
import type { Store } from "../store/address";
import { existingStore, forgetStore, storeToCreate } from "./store-gate";

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
export async function writeObjects(env: Env, context: WriteContext, request: PutRequest): Promise<Result<Head, PutFailure>> {
  let store = await existingStore(env, context.identity, context.storeId);
  if (!store) {
    const plan = planned(request);
    const refusal = refusalOnAbsentStore(plan, context.lease);
    if (refusal) return { ok: false, error: { ...refusal, head: ZERO_HEAD } };
    if (isNoop(plan)) return { ok: true, value: ZERO_HEAD };
    const created = await storeToCreate(env, context);
    if (!created.ok) return created;
    store = created.value;
  }
  const result = await stageAndPut(store, context, request);
  if (!result.ok) forgetStore(context.identity, context.storeId);
  return result;
}

async function stageAndPut(store: Store, context: WriteContext, request: PutRequest): Promise<Result<Head, PutFailure>> {
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

/**
 * Stages what does not fit in the final call (recording each staged blob id) and returns that call's input. Every
 * value is hashed here (SHA-256, for the history's digest), so that the store's serialized step never hashes bytes.
 */
async function stageAndPlan(store: Store, request: PutRequest, staged: number[]): Promise<PutObjectsInput> {
  let inlineBytes = 0;
  const puts: PutItem[] = [];
  const overflow: { values: Uint8Array[]; items: PutItem[]; bytes: number }[] = [];
  for (const item of request.puts) {
    const size = item.value.byteLength;
    const hash = sha256(item.value);
    if (size > INLINE_VALUE_MAX_BYTES) {
      puts.push({ key: item.key, version: item.version, value: { kind: "staged", blobId: await stage(store, item.value, staged), size, sha256: hash } });
    } else if (inlineBytes + size <= RPC_VALUE_BUDGET_BYTES) {
      inlineBytes += size;
      puts.push({ key: item.key, version: item.version, value: { kind: "inline", bytes: item.value.slice(), sha256: hash } });
    } else {
      let batch = overflow.at(-1);
      if (!batch || batch.bytes + size > RPC_VALUE_BUDGET_BYTES) overflow.push((batch = { values: [], items: [], bytes: 0 }));
      const put: PutItem = { key: item.key, version: item.version, value: { kind: "staged", blobId: 0, size, sha256: hash } };
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
