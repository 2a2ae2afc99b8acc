import initial from "./0001-initial";

/** One schema migration: applied once, in id order, recorded in the schema_migrations ledger. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** Every schema migration, oldest first. Append only; ids are 1, 2, 3, … without gaps. */
export const MIGRATIONS: readonly Migration[] = [initial];
