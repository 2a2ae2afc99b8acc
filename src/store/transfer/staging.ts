import { STAGED_BLOB_TTL_MS } from "../limits";
import type { StoreSql } from "../sql";
import type { PutObjectsInput, Result } from "../types";

/**
 * Staging of large values: chunks uploaded before the putObjects that commits them, invisible to readers until
 * then, dropped when that put fails, and collected by the object's alarm when their request died.
 */

/** Appends chunks to a staged blob (a new one when `blobId` is null); returns its id. */
export function appendStaged(storage: DurableObjectStorage, db: StoreSql, blobId: number | null, fromSeq: number, chunks: Uint8Array[], now: number): Result<number, string> {
  return storage.transactionSync((): Result<number, string> => {
    const target = blobId ?? db.createBlob(now);
    const shape = db.blob(target);
    if (!shape?.staged) return { ok: false, error: `blob ${target} is not being staged` };
    if (shape.chunkCount !== fromSeq) return { ok: false, error: `blob ${target} has ${shape.chunkCount} chunks, not ${fromSeq}` };
    chunks.forEach((chunk, i) => db.appendChunk(target, fromSeq + i, chunk));
    return { ok: true, value: target };
  });
}

/** Stages small values (each at most one chunk), each as its own one-chunk blob; returns their ids in order. */
export function stageSmallValues(storage: DurableObjectStorage, db: StoreSql, values: Uint8Array[], now: number): number[] {
  return storage.transactionSync(() =>
    values.map((value) => {
      const id = db.createBlob(now);
      db.appendChunk(id, 0, value);
      return id;
    }),
  );
}

/** Drops the staged (never committed) blobs among `ids`. */
export function dropStagedBlobs(storage: DurableObjectStorage, db: StoreSql, ids: readonly number[]): void {
  storage.transactionSync(() => {
    for (const id of ids) if (db.blob(id)?.staged) db.deleteBlob(id);
  });
}

/** The staged blob ids a putObjects names. */
export function stagedIds(input: PutObjectsInput): number[] {
  return input.puts.flatMap((item) => (item.value.kind === "staged" ? [item.value.blobId] : []));
}

/** When the alarm that removes a blob staged now, should its request die, must run. */
export function armCollector(now: number): number {
  return now + STAGED_BLOB_TTL_MS;
}

/** Removes staged blobs abandoned for STAGED_BLOB_TTL_MS; returns when the rest are due (null: none staged). */
export function collectStaged(storage: DurableObjectStorage, db: StoreSql, now: number): number | null {
  storage.transactionSync(() => {
    for (const id of db.staleStagedBlobs(now - STAGED_BLOB_TTL_MS)) db.deleteBlob(id);
  });
  const oldest = db.oldestStagedAt();
  return oldest === null ? null : oldest + STAGED_BLOB_TTL_MS;
}
