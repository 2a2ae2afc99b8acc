/** One key's last change: its version then, or deleted. */
export type ChangeRow = { key: string; version: number; deleted: number; revision: number };

/** Every SQL statement of the revision counter and the change index, in one place. */
export class ChangesSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  revision(): { revision: number; pruned: number } {
    return this.#sql.exec<{ revision: number; pruned: number }>("SELECT revision, pruned_revision AS pruned FROM store_meta WHERE id = 1").one();
  }

  /** Advances the store's revision by one and returns it. */
  advance(): number {
    return this.#sql.exec<{ r: number }>("UPDATE store_meta SET revision = revision + 1 WHERE id = 1 RETURNING revision AS r").one().r;
  }

  /** Records `key`'s last change; replaces the earlier one, so the index holds one row per key. */
  record(key: string, revision: number, version: number, deleted: boolean, now: number): void {
    this.#sql.exec(
      `INSERT INTO changes (key, revision, version, deleted, changed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET revision = excluded.revision, version = excluded.version, deleted = excluded.deleted, changed_at = excluded.changed_at`,
      key,
      revision,
      version,
      deleted ? 1 : 0,
      now,
    );
  }

  /** Changes after `since`, by revision, at most `limit` rows. */
  after(since: number, limit: number): ChangeRow[] {
    return this.#sql
      .exec<ChangeRow>("SELECT key, version, deleted, revision FROM changes WHERE revision > ? ORDER BY revision LIMIT ?", since, limit)
      .toArray();
  }

  /** Every change of one revision (to finish a page on a revision boundary). */
  at(revision: number): ChangeRow[] {
    return this.#sql.exec<ChangeRow>("SELECT key, version, deleted, revision FROM changes WHERE revision = ?", revision).toArray();
  }

  /**
   * Forgets the deleted keys among the `limit` oldest deletions whose deletion is older than `before` (ms), and
   * raises the pruned revision past them. Bounded: it looks at `limit` rows of the deletion index, nothing more.
   * Returns how many were forgotten.
   */
  prune(before: number, limit: number): number {
    const oldest = this.#sql
      .exec<{ revision: number; changed_at: number }>("SELECT revision, changed_at FROM changes WHERE deleted = 1 ORDER BY revision LIMIT ?", limit)
      .toArray();
    let last = 0;
    for (const row of oldest) {
      if (row.changed_at >= before) break;
      last = row.revision;
    }
    if (last === 0) return 0;
    const gone = this.#sql.exec("DELETE FROM changes WHERE deleted = 1 AND revision <= ?", last).rowsWritten;
    this.#sql.exec("UPDATE store_meta SET pruned_revision = MAX(pruned_revision, ?) WHERE id = 1", last);
    return gone;
  }

  /**
   * After an operator's import: the change index holds every object at `revision`, nothing else, and history
   * before `prunedThrough` counts as pruned (a device that synced earlier is told to reset).
   */
  replaceWithObjects(revision: number, now: number, prunedThrough: number): void {
    this.#sql.exec("DELETE FROM changes");
    this.#sql.exec("INSERT INTO changes (key, revision, version, deleted, changed_at) SELECT key, ?, version, 0, ? FROM objects", revision, now);
    this.#sql.exec("UPDATE store_meta SET pruned_revision = MAX(pruned_revision, ?) WHERE id = 1", prunedThrough);
  }
}
