import { GLOBAL_VERSION_KEY } from "../limits";
import { readObject } from "./read";
import type { StoreSql } from "../sql";

/** One key of a getObjects as the store answers it: absent, a value in hand, or the head of a chunked value. */
export type BatchEntry =
  | { key: string; kind: "missing" }
  | { key: string; kind: "inline"; version: number; value: Uint8Array }
  | { key: string; kind: "chunked"; version: number; blobId: number; size: number; chunkCount: number };

/** The keys answered now, and those left for the client to ask again. */
export interface BatchRead {
  entries: BatchEntry[];
  remaining: string[];
}

/**
 * getObjects (MULTIDEVICE.md §7): keys answered in request order until the next found value would take the value
 * bytes past `budgetBytes`; that key and every later one are `remaining`. The first key is always answered.
 * Chunked values come as heads: the Worker fetches their chunks with readBlob, like getObject.
 */
export function readBatch(db: StoreSql | null, keys: readonly string[], budgetBytes: number): BatchRead {
  const entries: BatchEntry[] = [];
  let total = 0;
  for (const [index, key] of keys.entries()) {
    const found = readObject(db, key, 0);
    if (!found) {
      entries.push({ key, kind: "missing" });
      continue;
    }
    const size = found.kind === "inline" ? found.value.byteLength : found.size;
    // global_version (always empty) is answered wherever it stands; a value past the budget ends the batch.
    if (key !== GLOBAL_VERSION_KEY && index > 0 && total + size > budgetBytes) return { entries, remaining: keys.slice(index) };
    total += size;
    const { version } = found;
    entries.push(found.kind === "inline" ? { key, kind: "inline", version, value: found.value } : { key, kind: "chunked", version, blobId: found.blobId, size, chunkCount: found.chunkCount });
  }
  return { entries, remaining: [] };
}
