import account1 from "./account/0001-initial";
import account2 from "./account/0002-listed";
import account3 from "./account/0003-watchers";
import account4 from "./account/0004-watcher-admissions";
import directory1 from "./directory/0001-initial";
import lnurl1 from "./lnurl/0001-initial";
import secrets1 from "./secrets/0001-initial";
import store1 from "./store/0001-initial";
import store2 from "./store/0002-usage";
import store3 from "./store/0003-multidevice";
import store4 from "./store/0004-import";
import store5 from "./store/0005-watch-tickets";
import store6 from "./store/0006-history";

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
export const STORE_MIGRATIONS: readonly Migration[] = [store1, store2, store3, store4, store5, store6];
export const ACCOUNT_MIGRATIONS: readonly Migration[] = [account1, account2, account3, account4];
export const LNURL_MIGRATIONS: readonly Migration[] = [lnurl1];
export const DIRECTORY_MIGRATIONS: readonly Migration[] = [directory1];
export const SECRETS_MIGRATIONS: readonly Migration[] = [secrets1];
