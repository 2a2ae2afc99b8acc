import { ChangesSql } from "./feed/changes-sql";
import { WatchSql } from "./feed/watch-sql";
import { LeaseSql } from "./lease/lease-sql";
import { CHUNK_BYTES } from "./limits";
import type { Usage } from "./types";

/** SQLite bindings take an ArrayBuffer for a BLOB; copy only when the view does not span its whole buffer. */
function blob(bytes: Uint8Array | null): ArrayBuffer | null {
  if (bytes === null) return null;
  const { buffer, byteOffset, byteLength } = bytes;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  return bytes.slice().buffer;
}

/** Below this many matching keys a prefix listing reads them from the key index instead of walking the store. */
const SPARSE_PREFIX_KEYS = 2048;
/** The most rows one page of a dense-prefix listing examines; a page that finds too few ends early (list()). */
export const DENSE_SCAN_ROWS = 20_000;

/** A listed key with its creation sequence. */
export type ListedRow = { seq: number; key: string; version: number };

/** The row of an object without its value. */
export interface ObjectHead {
  seq: number;
  version: number;
  size: number;
  blobId: number | null;
}

/** Every SQL statement of a store, in one place. Synchronous: callers compose them inside transactionSync. */
export class StoreSql {
  readonly #sql: SqlStorage;
  /** The writer lease's statements (lease/lease-sql.ts). */
  readonly lease: LeaseSql;
  /** The revision's and the change index's statements (feed/changes-sql.ts). */
  readonly changes: ChangesSql;
  /** The used watch tickets' statements (feed/watch-sql.ts). */
  readonly watch: WatchSql;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.lease = new LeaseSql(sql);
    this.changes = new ChangesSql(sql);
    this.watch = new WatchSql(sql);
  }

  globalVersion(): number {
    return this.#sql.exec<{ v: number }>("SELECT global_version AS v FROM store_meta WHERE id = 1").one().v;
  }

  setGlobalVersion(version: number): void {
    this.#sql.exec("UPDATE store_meta SET global_version = ? WHERE id = 1", version);
  }

  usage(): Usage {
    return this.#sql.exec<{ bytes: number; keys: number }>("SELECT used_bytes AS bytes, used_keys AS keys FROM store_meta WHERE id = 1").one();
  }

  addUsage(bytes: number, keys: number): void {
    this.#sql.exec("UPDATE store_meta SET used_bytes = used_bytes + ?, used_keys = used_keys + ? WHERE id = 1", bytes, keys);
  }

  /** Whether this store has registered with its identity's account object (for account deletion). */
  registered(): boolean {
    return this.#sql.exec<{ r: number }>("SELECT registered AS r FROM store_meta WHERE id = 1").one().r === 1;
  }

  markRegistered(): void {
    this.#sql.exec("UPDATE store_meta SET registered = 1 WHERE id = 1");
  }

  /**
   * True when the store holds nothing a client could ever observe: no object, no blob (staged or not), no
   * store-level version, no revision and no lease epoch ever granted.
   */
  isEmpty(): boolean {
    return (
      this.#sql
        .exec<{ n: number }>(
          `SELECT EXISTS (SELECT 1 FROM objects) + EXISTS (SELECT 1 FROM blobs)
             + (SELECT (global_version <> 0) + (revision <> 0) + (lease_epoch <> 0) FROM store_meta WHERE id = 1) AS n`,
        )
        .one().n === 0
    );
  }

  head(key: string): ObjectHead | undefined {
    const rows = this.#sql
      .exec<{ seq: number; version: number; size: number; blob_id: number | null }>(
        "SELECT seq, version, size, blob_id FROM objects WHERE key = ?",
        key,
      )
      .toArray();
    const row = rows[0];
    return row && { seq: row.seq, version: row.version, size: row.size, blobId: row.blob_id };
  }

  /** The object with its inline value (null when the value is chunked). */
  read(key: string): (ObjectHead & { value: Uint8Array | null }) | undefined {
    const row = this.#sql
      .exec<{ seq: number; version: number; size: number; blob_id: number | null; value: ArrayBuffer | null }>(
        "SELECT seq, version, size, blob_id, value FROM objects WHERE key = ?",
        key,
      )
      .toArray()[0];
    if (!row) return undefined;
    const value = row.value === null ? null : new Uint8Array(row.value);
    return { seq: row.seq, version: row.version, size: row.size, blobId: row.blob_id, value };
  }

  insert(key: string, version: number, size: number, value: Uint8Array | null, blobId: number | null): void {
    this.#sql.exec(
      "INSERT INTO objects (key, version, size, value, blob_id) VALUES (?, ?, ?, ?, ?)",
      key,
      version,
      size,
      blob(value),
      blobId,
    );
  }

  /** Replaces the value in place: the key keeps its creation position. */
  update(key: string, version: number, size: number, value: Uint8Array | null, blobId: number | null): void {
    this.#sql.exec(
      "UPDATE objects SET version = ?, size = ?, value = ?, blob_id = ? WHERE key = ?",
      version,
      size,
      blob(value),
      blobId,
      key,
    );
  }

  delete(key: string): void {
    this.#sql.exec("DELETE FROM objects WHERE key = ?", key);
  }

  /**
   * Newest-created first, strictly before `before`, keys in [lower, upper) by byte order (upper null: no bound).
   * Range comparisons, not LIKE: prefixes are literal and may be longer than LIKE's 50-byte pattern limit.
   * Two plans: for a prefix that matches fewer than SPARSE_PREFIX_KEYS keys, take them from the key index and sort
   * (`+seq` keeps SQLite off the rowid walk); otherwise walk the creation order and filter by key (`+key` keeps it
   * on the walk) — but examine at most DENSE_SCAN_ROWS rows: when they hold too few matches, `scannedTo` is the
   * oldest sequence examined, where the next page goes on. So no page costs more than a bounded amount of work.
   */
  list(lower: string, upper: string | null, before: number, limit: number): { rows: ListedRow[]; scannedTo?: number } {
    if (upper === null) {
      return {
        rows: this.#sql.exec<ListedRow>("SELECT seq, key, version FROM objects WHERE seq < ? AND key >= ? ORDER BY seq DESC LIMIT ?", before, lower, limit).toArray(),
      };
    }
    const sparse =
      this.#sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM (SELECT 1 FROM objects WHERE key >= ? AND key < ? LIMIT ?)", lower, upper, SPARSE_PREFIX_KEYS)
        .one().n < SPARSE_PREFIX_KEYS;
    if (sparse) {
      const query = "SELECT seq, key, version FROM objects WHERE +seq < ? AND key >= ? AND key < ? ORDER BY +seq DESC LIMIT ?";
      return { rows: this.#sql.exec<ListedRow>(query, before, lower, upper, limit).toArray() };
    }
    const rows = this.#sql
      .exec<ListedRow>(
        `SELECT seq, key, version FROM (SELECT seq, key, version FROM objects WHERE seq < ? ORDER BY seq DESC LIMIT ?)
         WHERE +key >= ? AND +key < ? ORDER BY seq DESC LIMIT ?`,
        before,
        DENSE_SCAN_ROWS,
        lower,
        upper,
        limit,
      )
      .toArray();
    if (rows.length >= limit) return { rows };
    const window = this.#sql
      .exec<{ n: number; oldest: number | null }>(
        "SELECT COUNT(*) AS n, MIN(seq) AS oldest FROM (SELECT seq FROM objects WHERE seq < ? ORDER BY seq DESC LIMIT ?)",
        before,
        DENSE_SCAN_ROWS,
      )
      .one();
    return window.n < DENSE_SCAN_ROWS || window.oldest === null ? { rows } : { rows, scannedTo: window.oldest };
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
    this.#sql.exec("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, ?, ?)", blobId, seq, blob(data));
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
