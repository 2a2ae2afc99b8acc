import { asBlob } from "../sql-blob";
import type { HistoryBounds } from "./read";

/** A revision's record: its digest, commit time and global version (kept for the store's life). */
export interface RevisionRow {
  revision: number;
  digest: Uint8Array;
  committedAt: number;
  globalVersion: number;
}

/** One change of a revision as recorded (`valueSha256` null when deleted). */
export interface ChangeRecord {
  revision: number;
  key: string;
  deleted: boolean;
  version: number;
  valueSha256: Uint8Array | null;
}

/** A version a write replaced or deleted: the key held it from `fromRevision` until `toRevision`. */
export interface PastVersion {
  id: number;
  key: string;
  fromRevision: number;
  toRevision: number;
  version: number;
  size: number;
  value: Uint8Array | null;
  blobId: number | null;
  retained: boolean;
}

/** Bytes a change record and a past version's record count against the history allowance, besides the key. */
export const CHANGE_RECORD_BYTES = 50;
export const VERSION_RECORD_BYTES = 60;

const bytesOf = (value: ArrayBuffer | null) => (value === null ? null : new Uint8Array(value));

/** Every SQL statement of a store's history (HISTORY.md), in one place. Synchronous: callers compose them in transactions. */
export class HistorySql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Where the retained records begin, the digest before them, and the store's incarnation. */
  bounds(): HistoryBounds {
    const row = this.#sql
      .exec<{ o: number; b: ArrayBuffer | null; i: ArrayBuffer | null }>("SELECT history_oldest AS o, history_base_digest AS b, incarnation AS i FROM store_meta WHERE id = 1")
      .one();
    return { oldest: row.o, baseDigest: bytesOf(row.b), incarnation: bytesOf(row.i) };
  }

  /** What the background pruning works from: the settings the last write carried, the bytes held, the oldest record. */
  pruningState(): { valuesMs: number; retentionMs: number; allowanceBytes: number; bytes: number; oldest: number } {
    return this.#sql
      .exec<{ valuesMs: number; retentionMs: number; allowanceBytes: number; bytes: number; oldest: number }>(
        `SELECT history_values_ms AS valuesMs, history_retention_ms AS retentionMs, history_allowance AS allowanceBytes,
                history_bytes AS bytes, history_oldest AS oldest FROM store_meta WHERE id = 1`,
      )
      .one();
  }

  /** The history's bytes changed by `delta`; the records now begin at `oldest`, after `baseDigest` (when given). */
  account(delta: number, oldest?: { revision: number; baseDigest: Uint8Array }): void {
    if (oldest) {
      this.#sql.exec("UPDATE store_meta SET history_bytes = MAX(0, history_bytes + ?), history_oldest = ?, history_base_digest = ? WHERE id = 1", delta, oldest.revision, asBlob(oldest.baseDigest));
    } else {
      this.#sql.exec("UPDATE store_meta SET history_bytes = MAX(0, history_bytes + ?) WHERE id = 1", delta);
    }
  }

  /** When the oldest retained value was replaced or deleted (null: none retained). */
  oldestRetainedEnd(): number | null {
    return this.#sql.exec<{ t: number | null }>("SELECT MIN(ended_at) AS t FROM history_versions WHERE retained = 1").one().t;
  }

  insertRevision(row: RevisionRow): void {
    this.#sql.exec("INSERT INTO revisions (revision, digest, committed_at, global_version) VALUES (?, ?, ?, ?)", row.revision, asBlob(row.digest), row.committedAt, row.globalVersion);
  }

  insertChange(change: ChangeRecord): void {
    this.#sql.exec(
      "INSERT INTO revision_changes (revision, key, deleted, version, value_sha256) VALUES (?, ?, ?, ?, ?)",
      change.revision,
      change.key,
      change.deleted ? 1 : 0,
      change.version,
      asBlob(change.valueSha256),
    );
  }

  /**
   * Records the version `key` holds now as a past one, ended by revision `toRevision` (a deletion when `deleted`),
   * keeping its bytes when `retain`; the object row is about to change. Returns the bytes it adds to the history
   * (its record, and its value when retained). It began at the revision that wrote it.
   */
  endVersion(key: string, toRevision: number, endedAt: number, deleted: boolean, retain: boolean): number {
    const row = this.#sql
      .exec<{ size: number; k: number }>(
        `INSERT INTO history_versions (key, from_revision, to_revision, version, size, value, blob_id, retained, deleted, ended_at)
         SELECT key, revision, ?, version, size, CASE WHEN ? THEN value END, CASE WHEN ? THEN blob_id END, ?, ?, ?
         FROM objects WHERE key = ?
         RETURNING size, length(CAST(key AS BLOB)) AS k`,
        toRevision,
        retain ? 1 : 0,
        retain ? 1 : 0,
        retain ? 1 : 0,
        deleted ? 1 : 0,
        endedAt,
        key,
      )
      .one();
    return VERSION_RECORD_BYTES + row.k + (retain ? row.size : 0);
  }

  /** The past version of `key` that was current just after `revision`, if one is recorded. */
  versionAt(key: string, revision: number): PastVersion | null {
    const row = this.#sql
      .exec<{ id: number; from_revision: number; to_revision: number; version: number; size: number; value: ArrayBuffer | null; blob_id: number | null; retained: number }>(
        "SELECT id, from_revision, to_revision, version, size, value, blob_id, retained FROM history_versions WHERE key = ? AND from_revision <= ? ORDER BY from_revision DESC LIMIT 1",
        key,
        revision,
      )
      .toArray()[0];
    if (!row || row.to_revision <= revision) return null;
    return { id: row.id, key, fromRevision: row.from_revision, toRevision: row.to_revision, version: row.version, size: row.size, value: bytesOf(row.value), blobId: row.blob_id, retained: row.retained === 1 };
  }

  /** Revision records after `after`, ascending, at most `limit`. */
  revisions(after: number, limit: number): RevisionRow[] {
    return this.#sql
      .exec<{ revision: number; digest: ArrayBuffer; committed_at: number; global_version: number }>(
        "SELECT revision, digest, committed_at, global_version FROM revisions WHERE revision > ? ORDER BY revision LIMIT ?",
        after,
        limit,
      )
      .toArray()
      .map((r) => ({ revision: r.revision, digest: new Uint8Array(r.digest), committedAt: r.committed_at, globalVersion: r.global_version }));
  }

  /** When `revision` was committed, when recorded. */
  committedAt(revision: number): number | null {
    return this.#sql.exec<{ t: number }>("SELECT committed_at AS t FROM revisions WHERE revision = ?", revision).toArray()[0]?.t ?? null;
  }

  /** The digest of `revision`, when recorded. */
  digestOf(revision: number): Uint8Array | null {
    const row = this.#sql.exec<{ digest: ArrayBuffer }>("SELECT digest FROM revisions WHERE revision = ?", revision).toArray()[0];
    return row ? new Uint8Array(row.digest) : null;
  }

  /**
   * Changes of revisions `first` … `last` in (revision, key) order, those of `first` after `resumeKey` (all of them
   * when null), at most `limit`.
   */
  changes(first: number, last: number, resumeKey: string | null, limit: number): ChangeRecord[] {
    const rows =
      resumeKey === null
        ? this.#sql.exec<ChangeRow>("SELECT revision, key, deleted, version, value_sha256 FROM revision_changes WHERE revision >= ? AND revision <= ? ORDER BY revision, key LIMIT ?", first, last, limit)
        : this.#sql.exec<ChangeRow>(
            "SELECT revision, key, deleted, version, value_sha256 FROM revision_changes WHERE ((revision = ? AND key > ?) OR revision > ?) AND revision <= ? ORDER BY revision, key LIMIT ?",
            first,
            resumeKey,
            first,
            last,
            limit,
          );
    return rows.toArray().map((r) => ({ revision: r.revision, key: r.key, deleted: r.deleted === 1, version: r.version, valueSha256: bytesOf(r.value_sha256) }));
  }

  /** The key's last change at or before `revision` among the retained records. */
  lastChange(key: string, revision: number): ChangeRecord | null {
    const row = this.#sql
      .exec<ChangeRow>("SELECT revision, key, deleted, version, value_sha256 FROM revision_changes WHERE key = ? AND revision <= ? ORDER BY revision DESC LIMIT 1", key, revision)
      .toArray()[0];
    return row ? { revision: row.revision, key: row.key, deleted: row.deleted === 1, version: row.version, valueSha256: bytesOf(row.value_sha256) } : null;
  }

  /** Past versions whose bytes are still kept, oldest end first: overwritten ones (`deleted` false) or deleted ones. */
  retainedValues(deleted: boolean, endedBefore: number, limit: number): { id: number; size: number; blobId: number | null }[] {
    return this.#sql
      .exec<{ id: number; size: number; blob_id: number | null }>(
        "SELECT id, size, blob_id FROM history_versions WHERE retained = 1 AND deleted = ? AND ended_at < ? ORDER BY ended_at LIMIT ?",
        deleted ? 1 : 0,
        endedBefore,
        limit,
      )
      .toArray()
      .map((r) => ({ id: r.id, size: r.size, blobId: r.blob_id }));
  }

  /** Forgets a past version's bytes (its record stays: the version answers `pruned:`). */
  dropValue(id: number): void {
    this.#sql.exec("UPDATE history_versions SET retained = 0, value = NULL, blob_id = NULL WHERE id = ?", id);
  }

  /** The oldest revisions whose changes are still kept and that were committed before `before`: at most `limit`. */
  prunableRevisions(from: number, before: number, limit: number): number[] {
    return this.#sql
      .exec<{ revision: number }>("SELECT revision FROM revisions WHERE revision >= ? AND committed_at < ? ORDER BY revision LIMIT ?", from, before, limit)
      .toArray()
      .map((r) => r.revision);
  }

  /** The bytes the records of `revision` hold: its changes, and the past versions it ended (with retained values). */
  recordBytes(revision: number): number {
    const changes = this.#sql.exec<{ b: number | null }>(`SELECT SUM(${CHANGE_RECORD_BYTES} + length(CAST(key AS BLOB))) AS b FROM revision_changes WHERE revision = ?`, revision).one().b;
    const versions = this.#sql
      .exec<{ b: number | null }>(`SELECT SUM(${VERSION_RECORD_BYTES} + length(CAST(key AS BLOB)) + CASE WHEN retained = 1 THEN size ELSE 0 END) AS b FROM history_versions WHERE to_revision = ?`, revision)
      .one().b;
    return (changes ?? 0) + (versions ?? 0);
  }

  /**
   * Drops the changes of every revision up to `through`, and the past versions that ended by then (no retained
   * revision can ask for them); returns the bytes freed and the blobs of retained values that go with them.
   */
  pruneRecordsThrough(through: number): { bytes: number; blobs: number[] } {
    const changes = this.#sql
      .exec<{ b: number | null }>(`SELECT SUM(${CHANGE_RECORD_BYTES} + length(CAST(key AS BLOB))) AS b FROM revision_changes WHERE revision <= ?`, through)
      .one().b;
    const versions = this.#sql
      .exec<{ b: number | null }>(
        `SELECT SUM(${VERSION_RECORD_BYTES} + length(CAST(key AS BLOB)) + CASE WHEN retained = 1 THEN size ELSE 0 END) AS b FROM history_versions WHERE to_revision <= ?`,
        through,
      )
      .one().b;
    const blobs = this.#sql
      .exec<{ blob_id: number }>("SELECT blob_id FROM history_versions WHERE to_revision <= ? AND blob_id IS NOT NULL", through)
      .toArray()
      .map((r) => r.blob_id);
    this.#sql.exec("DELETE FROM revision_changes WHERE revision <= ?", through);
    this.#sql.exec("DELETE FROM history_versions WHERE to_revision <= ?", through);
    return { bytes: (changes ?? 0) + (versions ?? 0), blobs };
  }
}

/** A live object as the history reads it: its value's hash when kept, else what is needed to compute it. */
export interface LiveKey {
  key: string;
  version: number;
  valueSha256: Uint8Array | null;
  value: Uint8Array | null;
  blobId: number | null;
}

/** The history's view of the live objects and of the change index (reads for digests over the whole store). */
export class LiveSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM objects").one().n;
  }

  /** Live objects after `after` in key (UTF-8 byte) order, at most `limit`; the value only where no hash is kept. */
  after(after: string | null, limit: number): LiveKey[] {
    const rows =
      after === null
        ? this.#sql.exec<LiveRow>("SELECT key, version, value_sha256, CASE WHEN value_sha256 IS NULL THEN value END AS value, blob_id FROM objects ORDER BY key LIMIT ?", limit)
        : this.#sql.exec<LiveRow>("SELECT key, version, value_sha256, CASE WHEN value_sha256 IS NULL THEN value END AS value, blob_id FROM objects WHERE key > ? ORDER BY key LIMIT ?", after, limit);
    return rows.toArray().map((r) => ({ key: r.key, version: r.version, valueSha256: bytesOf(r.value_sha256), value: bytesOf(r.value), blobId: r.blob_id }));
  }

  /** Every live object was written by `revision` (an import's). */
  writtenBy(revision: number): void {
    this.#sql.exec("UPDATE objects SET revision = ?", revision);
  }

  setSha256(key: string, sha256: Uint8Array): void {
    this.#sql.exec("UPDATE objects SET value_sha256 = ? WHERE key = ?", asBlob(sha256), key);
  }

  /** Keys the change index lists as live that no object holds any more (an import replaced them), in key order. */
  vanished(after: string | null, limit: number): string[] {
    const gone = "deleted = 0 AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.key = changes.key)";
    const rows =
      after === null
        ? this.#sql.exec<{ key: string }>(`SELECT key FROM changes WHERE ${gone} ORDER BY key LIMIT ?`, limit)
        : this.#sql.exec<{ key: string }>(`SELECT key FROM changes WHERE key > ? AND ${gone} ORDER BY key LIMIT ?`, after, limit);
    return rows.toArray().map((r) => r.key);
  }

  countVanished(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM changes WHERE deleted = 0 AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.key = changes.key)").one().n;
  }
}

type LiveRow = { key: string; version: number; value_sha256: ArrayBuffer | null; value: ArrayBuffer | null; blob_id: number | null };

type ChangeRow = { revision: number; key: string; deleted: number; version: number; value_sha256: ArrayBuffer | null };
