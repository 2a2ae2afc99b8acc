import account1 from "./account/0001-initial";
import lnurl1 from "./lnurl/0001-initial";
import store1 from "./store/0001-initial";
import store2 from "./store/0002-usage";
import store3 from "./store/0003-multidevice";

/** One schema migration: applied once, in id order, recorded in the schema_migrations ledger. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/**
 * The schema migrations of each Durable Object class, oldest first. Append only; ids are 1, 2, 3, … without
 * gaps; never edit one that has shipped.
 */
export const STORE_MIGRATIONS: readonly Migration[] = [store1, store2, store3];
export const ACCOUNT_MIGRATIONS: readonly Migration[] = [account1];
export const LNURL_MIGRATIONS: readonly Migration[] = [lnurl1];
