import { GLOBAL_VERSION_KEY } from "./limits";
import { chunkCountOf } from "./read";
import type { StoreSql } from "./sql";

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
    if (key === GLOBAL_VERSION_KEY) {
      entries.push({ key, kind: "inline", version: db?.globalVersion() ?? 0, value: new Uint8Array(0) });
      continue;
    }
    const row = db?.read(key);
    if (!db || !row) {
      entries.push({ key, kind: "missing" });
      continue;
    }
    if (index > 0 && total + row.size > budgetBytes) return { entries, remaining: keys.slice(index) };
    total += row.size;
    if (row.blobId === null) {
      entries.push({ key, kind: "inline", version: row.version, value: row.value ?? new Uint8Array(0) });
      continue;
    }
    const chunkCount = chunkCountOf(db, key, row.blobId);
    entries.push({ key, kind: "chunked", version: row.version, blobId: row.blobId, size: row.size, chunkCount });
  }
  return { entries, remaining: [] };
}
