import type { Migration } from "../../migrations";

/**
 * Brings a store's SQLite schema up to date when its Durable Object wakes: pending migrations run in one
 * transaction and are recorded in the schema_migrations ledger. A store whose ledger names a migration this
 * code does not know was written by newer code; it is refused rather than downgraded.
 */
export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[]): number {
  return storage.transactionSync(() => {
    const sql = storage.sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    const applied = sql.exec<{ id: number }>("SELECT COALESCE(MAX(id), 0) AS id FROM schema_migrations").one().id;
    const known = migrations.at(-1)?.id ?? 0;
    if (applied > known) {
      throw new Error(`store schema is at migration ${applied}, newer than this code's ${known}: refusing to downgrade`);
    }
    for (const migration of migrations) {
      if (migration.id <= applied) continue;
      sql.exec(migration.sql);
      sql.exec("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)", migration.id, migration.name, Date.now());
    }
    return known;
  });
}

/** Whether the store's schema was ever created (a store never written has no tables, and a read creates none). */
export function hasSchema(storage: DurableObjectStorage): boolean {
  return storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").toArray().length > 0;
}
