import { createHash } from "node:crypto";
import type { Client } from "pg";
import type { StoreItem } from "./frames.js";

/** The reference server's table and its reserved store-version row. */
const TABLE = "vss_db";
const GLOBAL_VERSION_KEY = "global_version";
/** Rows listed per page, and value bytes fetched per query, when reading a store. */
const HEADS_PER_PAGE = 1000;
const VALUE_BYTES_PER_QUERY = 16 * 1024 * 1024;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Connects with the `pg` library, loaded only here, so that nothing else of the client ever pulls it in. */
export async function connectPostgres(url: string): Promise<Client> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** One (user_token, store_id) of the reference table, summarized by one aggregate query. */
export interface SourceStore {
  userToken: string;
  storeId: string;
  keys: number;
  bytes: number;
  globalVersion: bigint;
  maxVersion: bigint;
  minVersion: bigint;
  maxValueBytes: number;
  /** A fingerprint of the store's content, for recognizing it on a re-run. */
  source: string;
}

/** Reads a reference vss-server database (the `vss_db` table), in its creation order. */
export class ReferenceSource {
  #order = "sort_order";

  constructor(readonly db: Client) {}

  /** Checks the table and picks the creation order: `sort_order` when the schema has it, else created_at then key. */
  async open(): Promise<void> {
    const columns = await this.db.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = $1", [TABLE]);
    const names = new Set(columns.rows.map((r) => r.column_name));
    for (const needed of ["user_token", "store_id", "key", "value", "version"]) {
      if (!names.has(needed)) throw new Error(`the database has no ${TABLE}.${needed} column: is it a vss-server database?`);
    }
    if (!names.has("sort_order")) this.#order = names.has("created_at") ? "created_at, key" : "key";
  }

  /** Every store, in (user_token, store_id) order, a page at a time. */
  async *stores(): AsyncIterable<SourceStore> {
    let after: [string, string] | null = null;
    for (;;) {
      const page: { rows: Record<string, string | null>[] } = await this.db.query<Record<string, string | null>>(
        `SELECT user_token, store_id,
                COUNT(*) FILTER (WHERE key <> $1) AS keys,
                COALESCE(SUM(octet_length(value)) FILTER (WHERE key <> $1), 0) AS bytes,
                COALESCE(MAX(version) FILTER (WHERE key = $1), 0) AS gv,
                COALESCE(MAX(version) FILTER (WHERE key <> $1), 0) AS maxv,
                COALESCE(MIN(version) FILTER (WHERE key <> $1), 0) AS minv,
                COALESCE(MAX(octet_length(value)), 0) AS maxlen,
                COALESCE(SUM(version), 0) AS vsum,
                MAX(last_updated_at)::text AS updated
         FROM ${TABLE} WHERE $2::boolean OR (user_token, store_id) > ($3, $4)
         GROUP BY user_token, store_id ORDER BY user_token, store_id LIMIT 1000`,
        [GLOBAL_VERSION_KEY, after === null, after?.[0] ?? "", after?.[1] ?? ""],
      );
      for (const row of page.rows) {
        const fingerprint = [row.keys, row.bytes, row.gv, row.vsum, row.updated].join("|");
        yield {
          userToken: row.user_token ?? "",
          storeId: row.store_id ?? "",
          keys: Number(row.keys),
          bytes: Number(row.bytes),
          globalVersion: BigInt(row.gv ?? 0),
          maxVersion: BigInt(row.maxv ?? 0),
          minVersion: BigInt(row.minv ?? 0),
          maxValueBytes: Number(row.maxlen),
          source: "vss-server:" + createHash("sha256").update(fingerprint).digest("hex").slice(0, 40),
        };
      }
      const last: Record<string, string | null> | undefined = page.rows.at(-1);
      if (!last || page.rows.length < 1000) return;
      after = [last.user_token ?? "", last.store_id ?? ""];
    }
  }

  /** Why a store cannot move as it is, or null. */
  static problem(store: SourceStore, maxValueBytes: number): string | null {
    if (store.maxVersion > MAX_SAFE || store.globalVersion > MAX_SAFE) return "a version is beyond 2^53, which this service cannot store";
    if (store.minVersion < 0n) return "a negative version";
    if (store.maxValueBytes > maxValueBytes) return `a value is larger than ${maxValueBytes} bytes`;
    return null;
  }

  /** The store's items in creation order from item `from` on: keys a page at a time, values in bounded groups. */
  async *items(userToken: string, storeId: string, from: number): AsyncIterable<StoreItem> {
    let offset = from;
    for (;;) {
      const heads = await this.db.query<{ key: string; version: string; size: number }>(
        `SELECT key, version, COALESCE(octet_length(value), 0) AS size FROM ${TABLE}
         WHERE user_token = $1 AND store_id = $2 AND key <> $3 ORDER BY ${this.#order} OFFSET $4 LIMIT $5`,
        [userToken, storeId, GLOBAL_VERSION_KEY, offset, HEADS_PER_PAGE],
      );
      for (let i = 0; i < heads.rows.length; ) {
        const group: typeof heads.rows = [];
        let bytes = 0;
        while (i < heads.rows.length && (group.length === 0 || bytes + (heads.rows[i]?.size ?? 0) <= VALUE_BYTES_PER_QUERY)) {
          const head = heads.rows[i++];
          if (!head) break;
          group.push(head);
          bytes += head.size;
        }
        const values = await this.db.query<{ key: string; value: Buffer | null }>(
          `SELECT key, value FROM ${TABLE} WHERE user_token = $1 AND store_id = $2 AND key = ANY($3)`,
          [userToken, storeId, group.map((h) => h.key)],
        );
        const byKey = new Map(values.rows.map((r) => [r.key, r.value]));
        for (const head of group) {
          if (!byKey.has(head.key)) throw new Error(`key ${JSON.stringify(head.key)} vanished from the source during the move`);
          yield { key: head.key, version: BigInt(head.version), value: byKey.get(head.key) ?? Buffer.alloc(0) };
        }
      }
      offset += heads.rows.length;
      if (heads.rows.length < HEADS_PER_PAGE) return;
    }
  }
}
