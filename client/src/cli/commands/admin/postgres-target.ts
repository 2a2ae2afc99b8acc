import type { Client } from "pg";
import type { StoreItem } from "./frames.js";

/** Rows per INSERT, and value bytes per INSERT, when writing a store. */
const ROWS_PER_INSERT = 200;
const BYTES_PER_INSERT = 16 * 1024 * 1024;

/**
 * The reference server's table as its own migrations leave it (lightningdevkit/vss-server), with `sort_order`,
 * the counter its listings order by. Created only when the target database has no vss_db yet.
 */
const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS vss_db (
  user_token character varying(120) NOT NULL CHECK (user_token <> ''),
  store_id character varying(120) NOT NULL,
  key character varying(600) NOT NULL,
  value bytea NULL,
  version bigint NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  last_updated_at TIMESTAMP WITH TIME ZONE,
  sort_order BIGSERIAL,
  PRIMARY KEY (user_token, store_id, key)
);
CREATE INDEX IF NOT EXISTS vss_db_sort_order_idx ON vss_db (user_token, store_id, sort_order);`;

/**
 * Writes stores into a reference vss-server database, so that the operator can move back out. Each store is
 * replaced in one PostgreSQL transaction (a re-run rewrites it identically). Rows go in creation order, so
 * `sort_order` (a sequence) ranks them as this service listed them; created_at is synthesized, increasing in the
 * same order (this service keeps no timestamps); the store version becomes the `global_version` row.
 */
export class ReferenceTarget {
  readonly #base = BigInt(Date.now()) * 1000n;

  constructor(readonly db: Client) {}

  async open(): Promise<void> {
    const exists = await this.db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'vss_db'");
    if (exists.rowCount === 0) await this.db.query(CREATE_TABLE);
  }

  /** Starts replacing the rows of (userToken, storeId): one transaction, until finish() or abort(). */
  async store(userToken: string, storeId: string): Promise<StoreWriter> {
    await this.db.query("BEGIN");
    await this.db.query("DELETE FROM vss_db WHERE user_token = $1 AND store_id = $2", [userToken, storeId]);
    return new StoreWriter(this.db, userToken, storeId, this.#base);
  }
}

/** The rows of one store going into the reference table, in creation order, a bounded batch at a time. */
export class StoreWriter {
  #rows: StoreItem[] = [];
  #bytes = 0;
  #ordinal = 0n;

  constructor(
    readonly db: Client,
    readonly userToken: string,
    readonly storeId: string,
    readonly base: bigint,
  ) {}

  async add(item: StoreItem): Promise<void> {
    if (this.#rows.length >= ROWS_PER_INSERT || (this.#rows.length > 0 && this.#bytes + item.value.byteLength > BYTES_PER_INSERT)) await this.#flush();
    this.#rows.push(item);
    this.#bytes += item.value.byteLength;
  }

  /** Writes the rest and the store version (as the `global_version` row), and commits. */
  async finish(globalVersion: bigint): Promise<void> {
    await this.#flush();
    if (globalVersion > 0n) {
      this.#rows = [{ key: "global_version", version: globalVersion, value: new Uint8Array(0) }];
      await this.#flush();
    }
    await this.db.query("COMMIT");
  }

  async abort(): Promise<void> {
    await this.db.query("ROLLBACK");
  }

  async #flush(): Promise<void> {
    if (this.#rows.length === 0) return;
    const params: unknown[] = [];
    const tuples = this.#rows.map((row) => {
      const at = params.length;
      const micros = (this.base + this.#ordinal++).toString();
      params.push(this.userToken, this.storeId, row.key, Buffer.from(row.value.buffer, row.value.byteOffset, row.value.byteLength), row.version.toString(), micros);
      const time = `to_timestamp($${at + 6}::double precision / 1000000)`;
      return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}::bigint, ${time}, ${time})`;
    });
    await this.db.query(`INSERT INTO vss_db (user_token, store_id, key, value, version, created_at, last_updated_at) VALUES ${tuples.join(", ")}`, params);
    this.#rows = [];
    this.#bytes = 0;
  }
}
