/** Every SQL statement of the watch tickets a store has used up, in one place. */
export class WatchSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Records `nonce` as used until `expiresAt`; false when it was used before. Drops the expired ones first. */
  useTicket(nonce: string, expiresAt: number, now: number): boolean {
    this.#sql.exec("DELETE FROM watch_tickets_used WHERE expires_at <= ?", now);
    return this.#sql.exec("INSERT INTO watch_tickets_used (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING RETURNING nonce", nonce, expiresAt).toArray().length > 0;
  }
}
