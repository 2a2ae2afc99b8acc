/** Every SQL statement of the secrets object, in one place. */
export class SecretsSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  get(name: string): Uint8Array | null {
    const row = this.#sql.exec<{ value: ArrayBuffer }>("SELECT value FROM secrets WHERE name = ?", name).toArray()[0];
    return row ? new Uint8Array(row.value) : null;
  }

  insert(name: string, value: Uint8Array, now: number): void {
    this.#sql.exec("INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)", name, value, now);
  }
}
