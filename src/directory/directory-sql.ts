/** Every SQL statement of a directory shard, in one place. */
export class DirectorySql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  add(identity: string, now: number): void {
    this.#sql.exec("INSERT INTO identities (identity, listed_at) VALUES (?, ?) ON CONFLICT (identity) DO NOTHING", identity, now);
  }

  has(identity: string): boolean {
    return this.#sql.exec("SELECT 1 FROM identities WHERE identity = ?", identity).toArray().length > 0;
  }

  remove(identity: string): void {
    this.#sql.exec("DELETE FROM identities WHERE identity = ?", identity);
  }

  /** Identities after `after` in byte order, at most `limit`. */
  page(after: string, limit: number): string[] {
    return this.#sql
      .exec<{ identity: string }>("SELECT identity FROM identities WHERE identity > ? ORDER BY identity LIMIT ?", after, limit)
      .toArray()
      .map((row) => row.identity);
  }

  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM identities").one().n;
  }
}
