import { DurableObject } from "cloudflare:workers";
import { STORE_MIGRATIONS } from "../../migrations";
import type { Env } from "../env";
import { migrate } from "./schema";
import { StoreSql } from "./sql";
import { listPage } from "./list";
import { GLOBAL_VERSION_KEY, RPC_VALUE_BUDGET_BYTES } from "./limits";
import { appendStaged, armCollector, collectStaged, dropStagedBlobs, stageSmallValues } from "./staging";
import { admit, deleteObject, putObjects, type StoreHost } from "./writes";
import type { ListInput, ListPage, PutFailure, PutObjectsInput, Result, StoredObject, Usage, WriteContext } from "./types";

/**
 * One store: the data of one (identity, store_id) pair in its own SQLite database. The object serializes every
 * call, and each write runs in one transactionSync, so writes to a store are linearizable.
 * Methods are the Worker's RPC surface; they never see protobuf, and delegate to the modules beside this one.
 */
export class VssStore extends DurableObject<Env> {
  #sql: StoreSql | null = null;
  readonly #host: StoreHost;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const store = this;
    this.#host = {
      storage: ctx.storage,
      env,
      db: () => store.#db,
      existing: () => store.#existingDb(),
      registered: false,
      exclusive: (work) => ctx.blockConcurrencyWhile(work),
      erase: () => store.erase(),
    };
  }

  /** The store's tables, migrated on first use after waking (or after erase). */
  get #db(): StoreSql {
    if (!this.#sql) {
      migrate(this.ctx.storage, STORE_MIGRATIONS);
      this.#sql = new StoreSql(this.ctx.storage.sql);
    }
    return this.#sql;
  }

  /**
   * The store's tables if it has ever been written, else null: reads of a store that does not exist answer
   * "empty" without creating it (a read must not leave storage behind).
   */
  #existingDb(): StoreSql | null {
    if (this.#sql) return this.#sql;
    const exists = this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").toArray();
    return exists.length > 0 ? this.#db : null;
  }

  /** The object under `key`; large values return their first chunks, the rest comes from readBlob. */
  getObject(key: string): StoredObject | null {
    const db = this.#existingDb();
    if (key === GLOBAL_VERSION_KEY) {
      return { key, version: db?.globalVersion() ?? 0, kind: "inline", value: new Uint8Array(0) };
    }
    const row = db?.read(key);
    if (!db || !row) return null;
    if (row.blobId === null) return { key, version: row.version, kind: "inline", value: row.value ?? new Uint8Array(0) };
    const shape = db.blob(row.blobId);
    if (!shape) throw new Error(`object ${JSON.stringify(key)} names missing blob ${row.blobId}`);
    const chunks = db.chunks(row.blobId, 0, RPC_VALUE_BUDGET_BYTES);
    return { key, version: row.version, kind: "chunked", blobId: row.blobId, size: row.size, chunkCount: shape.chunkCount, chunks };
  }

  /** Further chunks of a committed blob; `gone` when a later write replaced or deleted it meanwhile. */
  readBlob(blobId: number, fromSeq: number): Result<Uint8Array[], "gone"> {
    const db = this.#existingDb();
    const shape = db?.blob(blobId);
    if (!db || !shape || shape.staged) return { ok: false, error: "gone" };
    return { ok: true, value: db.chunks(blobId, fromSeq, RPC_VALUE_BUDGET_BYTES) };
  }

  /**
   * Before a put stages its large values: refuses it if it would conflict or break the store quota, and
   * registers the store. The value sizes are given as `planned` values.
   */
  precheck(context: WriteContext, input: PutObjectsInput): Promise<Result<null, PutFailure>> {
    return admit(this.#host, context, input);
  }

  /**
   * Appends chunks to a staged blob (a new one when `blobId` is null) and returns its id. A staged blob is
   * invisible until a putObjects commits it; one abandoned for STAGED_BLOB_TTL_MS is removed by the alarm.
   */
  async stageChunks(blobId: number | null, fromSeq: number, chunks: Uint8Array[]): Promise<Result<number, string>> {
    const now = Date.now();
    const result = appendStaged(this.ctx.storage, this.#db, blobId, fromSeq, chunks, now);
    await armCollector(this.ctx.storage, now);
    return result;
  }

  /** Stages several small values (each at most one chunk) in one call; returns their blob ids in order. */
  async stageValues(values: Uint8Array[]): Promise<number[]> {
    const now = Date.now();
    const ids = stageSmallValues(this.ctx.storage, this.#db, values, now);
    await armCollector(this.ctx.storage, now);
    return ids;
  }

  /** Drops staged blobs whose put will never come (its request failed before committing). */
  dropStaged(ids: number[]): void {
    const db = this.#existingDb();
    if (db) dropStagedBlobs(this.ctx.storage, db, ids);
  }

  /** The one transactional write (store/writes.ts): every item applies, or none does. */
  putObjects(context: WriteContext, input: PutObjectsInput): Promise<Result<null, PutFailure>> {
    return putObjects(this.#host, context, input);
  }

  /** Deletes `key` if it exists and `version` is -1 or matches; a miss is not an error. */
  deleteObject(context: WriteContext, key: string, version: number): Promise<void> {
    return deleteObject(this.#host, context, key, version);
  }

  listKeyVersions(input: ListInput): ListPage {
    const db = this.#existingDb();
    if (!db) return { keyVersions: [], globalVersion: input.before === undefined ? 0 : undefined };
    return listPage(db, input);
  }

  /** The store's exact usage (bytes and keys). */
  usage(): Usage {
    return this.#existingDb()?.usage() ?? { bytes: 0, keys: 0 };
  }

  /** Answers at once: the floor of a Worker → Durable Object round trip, for the benchmark. */
  ping(): true {
    return true;
  }

  /** Removes everything the store holds (account deletion); the next call starts from an empty schema. */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#sql = null;
    this.#host.registered = false;
  }

  /** Removes staged blobs that were never committed (their request died), then re-arms for the rest. */
  override async alarm(): Promise<void> {
    const db = this.#existingDb();
    if (db) await collectStaged(this.ctx.storage, db, Date.now());
  }
}
