import { STORE_MIGRATIONS } from "../../../migrations";
import { ensureBase } from "../history/base";
import { hasSchema, migrate } from "../schema";
import { StoreSql } from "../sql";
import { TransferSql } from "../transfer/transfer-sql";
import { IMPORTING, ZERO_HEAD, type Head, type Importing } from "../types";

/**
 * What a store object knows of itself between calls: its tables (migrated on first use after waking), whether an
 * operator's import is in progress, and when its alarm is set. Read lazily, once per wake; VssStore owns one.
 */
export class StoreState {
  #sql: StoreSql | null = null;
  /** Whether an operator's import is in progress (null: not read since waking). */
  #importing: boolean | null = null;
  /** When the alarm is set for (null: none; undefined: not read since waking). */
  #alarmAt: number | null | undefined = undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** The store's tables, migrated on first use after waking (or after erase). */
  get db(): StoreSql {
    if (!this.#sql) {
      migrate(this.storage, STORE_MIGRATIONS);
      this.#sql = new StoreSql(this.storage.sql);
    }
    return this.#sql;
  }

  /** The store's tables if it has ever been written, else null: a read creates nothing. */
  existing(): StoreSql | null {
    if (this.#sql) return this.#sql;
    return hasSchema(this.storage) ? this.db : null;
  }

  get transfer(): TransferSql {
    return new TransferSql(this.storage.sql);
  }

  /** While an operator's import is in progress every wallet-facing call answers IMPORTING (read once per wake). */
  isImporting(): boolean {
    if (this.#importing === null) this.#importing = this.existing() !== null && this.transfer.importState().importId !== null;
    return this.#importing;
  }

  /** An import began, committed or was dropped: read its state again on the next call. */
  importChanged(): void {
    this.#importing = null;
  }

  /**
   * The tables for a wallet's call on `storeId` (this store's own): IMPORTING during an import, null when the store
   * was never written. A store older than history gets its base the first time (history/base.ts).
   */
  forWallet(storeId: string): StoreSql | null | Importing {
    if (this.isImporting()) return IMPORTING;
    const db = this.existing();
    if (db) ensureBase(this.storage, db, storeId);
    return db;
  }

  /** The store's head (revision 0 and the zero digest when it was never written). */
  head(db: StoreSql | null = this.existing()): Head {
    return db?.currentHead() ?? ZERO_HEAD;
  }

  /** Makes sure the alarm runs by `due` (one alarm serves the staged-blob collector and the history's pruning). */
  async armAlarm(due: number | null): Promise<void> {
    if (due === null) return;
    if (this.#alarmAt === undefined) this.#alarmAt = await this.storage.getAlarm();
    if (this.#alarmAt !== null && this.#alarmAt <= due) return;
    await this.storage.setAlarm(due);
    this.#alarmAt = due;
  }

  /** The alarm ran: it is no longer set. */
  alarmFired(): void {
    this.#alarmAt = null;
  }

  /** Everything the store held was deleted (erase): no tables, no import, no alarm. */
  erased(): void {
    this.#sql = null;
    this.#importing = null;
    this.#alarmAt = null;
  }
}
