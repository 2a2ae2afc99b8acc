import { GLOBAL_VERSION_KEY, RPC_VALUE_BUDGET_BYTES } from "../limits";
import type { StoreSql } from "../sql";
import type { StoredObject } from "../types";

/**
 * getObject and getObjects: the object under `key` (null when absent or the store was never written;
 * `global_version` is always there). A large value returns its first chunks, up to `chunkBytes` (at least one
 * chunk unless 0: the head alone), and the rest comes from readBlob.
 */
export function readObject(db: StoreSql | null, key: string, chunkBytes: number): StoredObject | null {
  if (key === GLOBAL_VERSION_KEY) return { key, version: db?.globalVersion() ?? 0, kind: "inline", value: new Uint8Array(0) };
  const row = db?.read(key);
  if (!db || !row) return null;
  if (row.blobId === null) return { key, version: row.version, kind: "inline", value: row.value ?? new Uint8Array(0) };
  const shape = db.blob(row.blobId);
  if (!shape) throw new Error(`object ${JSON.stringify(key)} names missing blob ${row.blobId}`);
  const chunks = chunkBytes > 0 ? db.chunks(row.blobId, 0, Math.min(chunkBytes, RPC_VALUE_BUDGET_BYTES)) : [];
  return { key, version: row.version, kind: "chunked", blobId: row.blobId, size: row.size, chunkCount: shape.chunkCount, chunks };
}
