import type { Usage } from "../store/types";

/** Every SQL statement of an account object, in one place. */
export class AccountSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  register(storeId: string, now: number): void {
    this.#sql.exec("INSERT INTO stores (store_id, updated_at) VALUES (?, ?) ON CONFLICT (store_id) DO NOTHING", storeId, now);
  }

  has(storeId: string): boolean {
    return this.#sql.exec("SELECT 1 FROM stores WHERE store_id = ?", storeId).toArray().length > 0;
  }

  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM stores").one().n;
  }

  setUsage(storeId: string, usage: Usage, now: number): void {
    this.#sql.exec(
      `INSERT INTO stores (store_id, used_bytes, used_keys, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (store_id) DO UPDATE SET used_bytes = excluded.used_bytes, used_keys = excluded.used_keys, updated_at = excluded.updated_at`,
      storeId,
      usage.bytes,
      usage.keys,
      now,
    );
  }

  /** The summed usage of every store but `except`, and the last usage `except` reported. */
  usage(except: string): { others: Usage; own: Usage } {
    const row = this.#sql
      .exec<{ ob: number; ok: number; sb: number; sk: number }>(
        `SELECT COALESCE(SUM(CASE WHEN store_id = ? THEN 0 ELSE used_bytes END), 0) AS ob,
                COALESCE(SUM(CASE WHEN store_id = ? THEN 0 ELSE used_keys END), 0) AS ok,
                COALESCE(SUM(CASE WHEN store_id = ? THEN used_bytes ELSE 0 END), 0) AS sb,
                COALESCE(SUM(CASE WHEN store_id = ? THEN used_keys ELSE 0 END), 0) AS sk
         FROM stores`,
        except,
        except,
        except,
        except,
      )
      .one();
    return { others: { bytes: row.ob, keys: row.ok }, own: { bytes: row.sb, keys: row.sk } };
  }

  stores(): string[] {
    return this.#sql.exec<{ store_id: string }>("SELECT store_id FROM stores ORDER BY store_id").toArray().map((r) => r.store_id);
  }

  /** Whether the identity has been put in the operator's directory. */
  listed(): boolean {
    return this.#sql.exec<{ listed: number }>("SELECT listed FROM account_meta WHERE id = 1").one().listed === 1;
  }

  markListed(): void {
    this.#sql.exec("UPDATE account_meta SET listed = 1 WHERE id = 1");
  }

  /**
   * Watch sockets over all stores: open as each store last reported (migration 0003), plus those admitted since
   * `admittedSince` that their store has not yet accepted or refused (migration 0004).
   */
  openWatchers(admittedSince: number): number {
    return this.#sql
      .exec<{ n: number }>("SELECT (SELECT COALESCE(SUM(open), 0) FROM watchers) + (SELECT COUNT(*) FROM watcher_admissions WHERE admitted_at >= ?) AS n", admittedSince)
      .one().n;
  }

  /** The stores that reported open sockets. */
  watchedStores(): string[] {
    return this.#sql.exec<{ store_id: string }>("SELECT store_id FROM watchers WHERE open > 0").toArray().map((r) => r.store_id);
  }

  setWatchers(storeId: string, open: number): void {
    if (open <= 0) this.#sql.exec("DELETE FROM watchers WHERE store_id = ?", storeId);
    else this.#sql.exec("INSERT INTO watchers (store_id, open) VALUES (?, ?) ON CONFLICT (store_id) DO UPDATE SET open = excluded.open", storeId, open);
  }

  /** One watcher admitted on `storeId`, on its way to the store; admissions older than `expiredBefore` are dropped. */
  admitWatcher(storeId: string, now: number, expiredBefore: number): void {
    this.#sql.exec("DELETE FROM watcher_admissions WHERE admitted_at < ?", expiredBefore);
    this.#sql.exec("INSERT INTO watcher_admissions (store_id, admitted_at) VALUES (?, ?)", storeId, now);
  }

  /** The store accepted or refused one admitted watcher: its oldest admission is settled. */
  settleAdmission(storeId: string): void {
    this.#sql.exec("DELETE FROM watcher_admissions WHERE id = (SELECT id FROM watcher_admissions WHERE store_id = ? ORDER BY id LIMIT 1)", storeId);
  }

  forget(storeId: string): void {
    this.#sql.exec("DELETE FROM stores WHERE store_id = ?", storeId);
  }
}
