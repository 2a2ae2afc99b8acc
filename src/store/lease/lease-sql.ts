/** The stored writer lease of a store (at most one row) and the highest epoch the store ever granted. */
export interface LeaseRow {
  epoch: number;
  token: string;
  holder: string;
  expiresAt: number;
}

/** Every SQL statement of the lease, in one place. Synchronous: callers compose them inside transactionSync. */
export class LeaseSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** The last lease granted and not released (it may have expired), or null. */
  current(): LeaseRow | null {
    const row = this.#sql
      .exec<{ epoch: number; token: string; holder: string; expires_at: number }>("SELECT epoch, token, holder, expires_at FROM lease WHERE id = 1")
      .toArray()[0];
    return row ? { epoch: row.epoch, token: row.token, holder: row.holder, expiresAt: row.expires_at } : null;
  }

  /** Grants a new lease with the next epoch (never reused while the store exists); returns that epoch. */
  grant(token: string, holder: string, expiresAt: number): number {
    const epoch = this.#sql.exec<{ e: number }>("UPDATE store_meta SET lease_epoch = lease_epoch + 1 WHERE id = 1 RETURNING lease_epoch AS e").one().e;
    this.#sql.exec(
      `INSERT INTO lease (id, epoch, token, holder, expires_at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, token = excluded.token, holder = excluded.holder, expires_at = excluded.expires_at`,
      epoch,
      token,
      holder,
      expiresAt,
    );
    return epoch;
  }

  extend(expiresAt: number): void {
    this.#sql.exec("UPDATE lease SET expires_at = ? WHERE id = 1", expiresAt);
  }

  release(): void {
    this.#sql.exec("DELETE FROM lease WHERE id = 1");
  }

  /** The highest epoch ever granted (0: none). */
  highestEpoch(): number {
    return this.#sql.exec<{ e: number }>("SELECT lease_epoch AS e FROM store_meta WHERE id = 1").one().e;
  }
}
