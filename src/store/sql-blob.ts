import { CHUNK_BYTES } from "./limits";

/** SQLite bindings take an ArrayBuffer for a BLOB; copy only when the view does not span its whole buffer. */
export function asBlob(bytes: Uint8Array | null): ArrayBuffer | null {
  if (bytes === null) return null;
  const { buffer, byteOffset, byteLength } = bytes;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  return bytes.slice().buffer;
}

/**
 * The statements of large values: a blob is a value stored as ordered chunks (blobs, blob_chunks), staged by a put
 * before it commits, then owned by an object or by a retained past version. StoreSql inherits them.
 */
export class BlobSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  createBlob(now: number): number {
    return this.#sql.exec<{ id: number }>("INSERT INTO blobs (staged_at) VALUES (?) RETURNING id", now).one().id;
  }

  /** A blob's shape; `staged` is true until a putObjects commits it. */
  blob(blobId: number): { size: number; chunkCount: number; staged: boolean } | undefined {
    const row = this.#sql
      .exec<{ size: number; chunk_count: number; staged_at: number | null }>(
        "SELECT size, chunk_count, staged_at FROM blobs WHERE id = ?",
        blobId,
      )
      .toArray()[0];
    return row && { size: row.size, chunkCount: row.chunk_count, staged: row.staged_at !== null };
  }

  appendChunk(blobId: number, seq: number, data: Uint8Array): void {
    this.#sql.exec("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, ?, ?)", blobId, seq, asBlob(data));
    this.#sql.exec(
      "UPDATE blobs SET size = size + ?, chunk_count = chunk_count + 1 WHERE id = ?",
      data.byteLength,
      blobId,
    );
  }

  commitBlob(blobId: number): void {
    this.#sql.exec("UPDATE blobs SET staged_at = NULL WHERE id = ?", blobId);
  }

  /** Chunks from `fromSeq` on, stopping before `maxBytes` would be exceeded (always at least one). */
  chunks(blobId: number, fromSeq: number, maxBytes: number): Uint8Array[] {
    const limit = Math.max(1, Math.floor(maxBytes / CHUNK_BYTES));
    return this.#sql
      .exec<{ data: ArrayBuffer }>(
        "SELECT data FROM blob_chunks WHERE blob_id = ? AND seq >= ? ORDER BY seq LIMIT ?",
        blobId,
        fromSeq,
        limit,
      )
      .toArray()
      .map((row) => new Uint8Array(row.data));
  }

  deleteBlob(blobId: number): void {
    this.#sql.exec("DELETE FROM blob_chunks WHERE blob_id = ?", blobId);
    this.#sql.exec("DELETE FROM blobs WHERE id = ?", blobId);
  }

  /** Staged blobs abandoned before `cutoff` (ms since the epoch). */
  staleStagedBlobs(cutoff: number): number[] {
    return this.#sql
      .exec<{ id: number }>("SELECT id FROM blobs WHERE staged_at IS NOT NULL AND staged_at < ?", cutoff)
      .toArray()
      .map((row) => row.id);
  }

  oldestStagedAt(): number | null {
    return this.#sql.exec<{ t: number | null }>("SELECT MIN(staged_at) AS t FROM blobs WHERE staged_at IS NOT NULL").one().t;
  }
}
