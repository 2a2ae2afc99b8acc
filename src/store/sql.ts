import { ChangesSql } from "./feed/changes-sql";
import { WatchSql } from "./feed/watch-sql";
import { LeaseSql, type LeaseRow } from "./lease/lease-sql";
import { HistorySql, LiveSql } from "./history/history-sql";
import type { HistorySettings } from "./history/record";
import { asBlob as blob, BlobSql } from "./sql-blob";
import type { Head, Usage } from "./types";

/** Below this many matching keys a prefix listing reads them from the key index instead of walking the store. */
const SPARSE_PREFIX_KEYS = 2048;
/** The most rows one page of a dense-prefix listing examines; a page that finds too few ends early (list()). */
export const DENSE_SCAN_ROWS = 20_000;

/** What a write starts from, read in one statement: the store's usage, revision, global version and chain. */
export interface StoreMeta {
  usage: Usage;
  revision: number;
  globalVersion: number;
  incarnation: Uint8Array | null;
  headDigest: Uint8Array | null;
  /** Bytes the history holds against its allowance. */
  historyBytes: number;
  /** The last lease granted and not released (it may have expired), for the write's fencing. */
  lease: LeaseRow | null;
}

/** What a committed write leaves in store_meta. */
export interface Committed {
  usage: Usage;
  revision: number;
  globalVersion: number;
  headDigest: Uint8Array;
  incarnation: Uint8Array;
  /** D(0), when the write was the store's first revision: the base its records start from. */
  genesis: Uint8Array | null;
  /** Bytes the write added to the history's allowance (records, retained values). */
  historyBytes: number;
  settings: HistorySettings;
}

const ZERO = new Uint8Array(32);
type MetaRow = { b: number; k: number; r: number; g: number; i: ArrayBuffer | null; d: ArrayBuffer | null; h: number; le: number | null; lt: string | null; lh: string | null; lx: number | null };
const bytesOrNull = (value: ArrayBuffer | null) => (value === null ? null : new Uint8Array(value));

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
export class StoreSql extends BlobSql {
  readonly #sql: SqlStorage;
  /** The writer lease's statements (lease/lease-sql.ts). */
  readonly lease: LeaseSql;
  /** The revision's and the change index's statements (feed/changes-sql.ts). */
  readonly changes: ChangesSql;
  /** The used watch tickets' statements (feed/watch-sql.ts). */
  readonly watch: WatchSql;
  /** The history's statements (history/history-sql.ts), and its reads over the whole store. */
  readonly history: HistorySql;
  readonly live: LiveSql;
  /** Known to have its history's base (history/base.ts): set once checked, per wake. */
  historyReady = false;
  /** The head as last read; dropped by every write, read again when asked for. */
  #head: Head | null = null;

  constructor(sql: SqlStorage) {
    super(sql);
    this.#sql = sql;
    this.lease = new LeaseSql(sql);
    this.changes = new ChangesSql(sql);
    this.watch = new WatchSql(sql);
    this.history = new HistorySql(sql);
    this.live = new LiveSql(sql);
  }

  meta(): StoreMeta {
    const row = this.#sql
      .exec<MetaRow>(
        `SELECT m.used_bytes AS b, m.used_keys AS k, m.revision AS r, m.global_version AS g, m.incarnation AS i, m.head_digest AS d, m.history_bytes AS h,
                l.epoch AS le, l.token AS lt, l.holder AS lh, l.expires_at AS lx
         FROM store_meta m LEFT JOIN lease l ON l.id = 1 WHERE m.id = 1`,
      )
      .one();
    const lease = row.le === null ? null : { epoch: row.le, token: row.lt ?? "", holder: row.lh ?? "", expiresAt: row.lx ?? 0 };
    return { usage: { bytes: row.b, keys: row.k }, revision: row.r, globalVersion: row.g, incarnation: bytesOrNull(row.i), headDigest: bytesOrNull(row.d), historyBytes: row.h, lease };
  }

  /** Everything a committed write changes in store_meta, in one statement. */
  commit(next: Committed): void {
    this.#head = null;
    this.#sql.exec(
      `UPDATE store_meta SET used_bytes = ?, used_keys = ?, revision = ?, global_version = ?, head_digest = ?, incarnation = ?,
         history_bytes = history_bytes + ?, history_base_digest = COALESCE(?, history_base_digest),
         history_values_ms = ?, history_retention_ms = ?, history_allowance = ? WHERE id = 1`,
      next.usage.bytes,
      next.usage.keys,
      next.revision,
      next.globalVersion,
      blob(next.headDigest),
      blob(next.incarnation),
      next.historyBytes,
      blob(next.genesis),
      next.settings.valuesMs,
      next.settings.retentionMs,
      next.settings.allowanceBytes,
    );
  }

  /** The store's head: its revision and digest, cached between writes. */
  currentHead(): Head {
    if (!this.#head) {
      const row = this.#sql.exec<{ r: number; d: ArrayBuffer | null }>("SELECT revision AS r, head_digest AS d FROM store_meta WHERE id = 1").one();
      this.#head = { revision: row.r, digest: row.d === null ? ZERO : new Uint8Array(row.d) };
    }
    return this.#head;
  }

  /**
   * The chain of a store older than history starts here: its incarnation, and its head digest, which is also the
   * base of its records (they begin at `oldest`).
   */
  setBase(incarnation: Uint8Array, oldest: number, digest: Uint8Array): void {
    this.#head = null;
    this.#sql.exec(
      "UPDATE store_meta SET incarnation = ?, head_digest = ?, history_oldest = ?, history_base_digest = ? WHERE id = 1",
      blob(incarnation),
      blob(digest),
      oldest,
      blob(digest),
    );
  }

  /**
   * An import's revision starts the records again (earlier ones described the data it replaced): the new head, the
   * records' new beginning and base, and the history's bytes from scratch.
   */
  restartHistory(next: { revision: number; headDigest: Uint8Array; incarnation: Uint8Array; baseDigest: Uint8Array; historyBytes: number }): void {
    this.#head = null;
    this.#sql.exec(
      "UPDATE store_meta SET revision = ?, head_digest = ?, incarnation = ?, history_oldest = ?, history_base_digest = ?, history_bytes = ? WHERE id = 1",
      next.revision,
      blob(next.headDigest),
      blob(next.incarnation),
      next.revision,
      blob(next.baseDigest),
      next.historyBytes,
    );
  }

  /** Forgets the cached head (after a write that did not go through commit, such as an import). */
  invalidateHead(): void {
    this.#head = null;
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

  /** The object with its inline value (null when the value is chunked), and the revision that wrote it. */
  read(key: string): (ObjectHead & { value: Uint8Array | null; revision: number }) | undefined {
    const row = this.#sql
      .exec<{ seq: number; version: number; size: number; blob_id: number | null; value: ArrayBuffer | null; revision: number }>(
        "SELECT seq, version, size, blob_id, value, revision FROM objects WHERE key = ?",
        key,
      )
      .toArray()[0];
    if (!row) return undefined;
    const value = row.value === null ? null : new Uint8Array(row.value);
    return { seq: row.seq, version: row.version, size: row.size, blobId: row.blob_id, value, revision: row.revision };
  }

  /** Creates an object written by `revision` (0 for an import, which sets it at its commit). */
  insert(key: string, version: number, size: number, value: Uint8Array | null, blobId: number | null, sha256: Uint8Array | null, revision: number): void {
    this.#sql.exec(
      "INSERT INTO objects (key, version, size, value, blob_id, value_sha256, revision) VALUES (?, ?, ?, ?, ?, ?, ?)",
      key,
      version,
      size,
      blob(value),
      blobId,
      blob(sha256),
      revision,
    );
  }

  /** Replaces the value in place: the key keeps its creation position. */
  update(key: string, version: number, size: number, value: Uint8Array | null, blobId: number | null, sha256: Uint8Array | null, revision: number): void {
    this.#sql.exec(
      "UPDATE objects SET version = ?, size = ?, value = ?, blob_id = ?, value_sha256 = ?, revision = ? WHERE key = ?",
      version,
      size,
      blob(value),
      blobId,
      blob(sha256),
      revision,
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
}
