import { DurableObject } from "cloudflare:workers";
import { STORE_MIGRATIONS } from "../../migrations";
import type { Env } from "../env";
import { hasSchema, migrate } from "./schema";
import { StoreSql } from "./sql";
import { listPage } from "./core/list";
import { RPC_VALUE_BUDGET_BYTES } from "./limits";
import { readObject } from "./core/read";
import { appendStaged, armCollector, collectStaged, dropStagedBlobs, stageSmallValues } from "./transfer/staging";
import { admit, deleteObject, putObjects, register, type StoreHost } from "./core/writes";
import { readBatch, type BatchRead } from "./core/batch-read";
import { changesSince, type ChangesPage } from "./feed/changes";
import { acquireLease, liveLease, releaseLease, renewLease, type LeaseRefusal, type LeaseView } from "./lease/lease";
import type { Applied } from "./core/put";
import { answerClose, parseWatchRequest, Watchers } from "./feed/watch";
import { TransferSql } from "./transfer/transfer-sql";
import { abortImport, beginImport, commitImport, importStatus, storeImportPieces, type ImportFailure, type ImportPiece, type ImportStatus } from "./transfer/transfer";
import { exportPage, type ExportPage } from "./transfer/export";
import { absentChanges, absentList } from "./core/absent";
import { accountFor } from "../account/vss-account";
import { IMPORTING, isImporting, type Importing, type ListInput, type ListPage, type PutFailure, type PutObjectsInput, type Result, type StoredObject, type Usage, type WriteContext } from "./types";

/** Which store an operator's call is about. */
type StoreName = Pick<WriteContext, "identity" | "storeId">;
const IMPORT_REFUSAL: Result<never, PutFailure> = { ok: false, error: { kind: "importing", message: "the store is being imported" } };

const OK: Result<null, never> = { ok: true, value: null };

/**
 * One store: the data of one (identity, store_id) pair in its own SQLite database. The object serializes every
 * call, and each write runs in one transactionSync, so writes to a store are linearizable.
 * Methods are the Worker's RPC surface; they never see protobuf, and delegate to the modules beside this one.
 */
export class VssStore extends DurableObject<Env> {
  #sql: StoreSql | null = null;
  readonly #host: StoreHost;
  readonly #watchers: Watchers;
  /** Whether an operator's import is in progress (null: not read since waking); see #isImporting. */
  #importing: boolean | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const store = this;
    this.#watchers = new Watchers(ctx, env, () => {
      const db = store.#existingDb();
      return { revision: db?.changes.revision().revision ?? 0, globalVersion: db?.globalVersion() ?? 0 };
    });
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
    return hasSchema(this.ctx.storage) ? this.#db : null;
  }

  /** While an operator's import is in progress every wallet-facing call answers IMPORTING (read once per wake). */
  #isImporting(): boolean {
    if (this.#importing === null) this.#importing = this.#existingDb() !== null && this.#transfer.importState().importId !== null;
    return this.#importing;
  }

  /** The tables for a wallet's call: IMPORTING during an import, null when the store was never written. */
  #forWallet(): StoreSql | null | Importing {
    return this.#isImporting() ? IMPORTING : this.#existingDb();
  }

  get #transfer(): TransferSql {
    return new TransferSql(this.ctx.storage.sql);
  }

  /** getObject (core/read.ts): a large value comes with its first chunks, up to `chunkBytes`; readBlob has the rest. */
  getObject(key: string, chunkBytes = RPC_VALUE_BUDGET_BYTES): StoredObject | null | Importing {
    const db = this.#forWallet();
    return isImporting(db) ? db : readObject(db, key, chunkBytes);
  }

  /** Further chunks of a committed blob; `gone` when a later write replaced or deleted it meanwhile. */
  readBlob(blobId: number, fromSeq: number): Result<Uint8Array[], "gone"> {
    const db = this.#existingDb();
    const shape = db?.blob(blobId);
    if (!db || !shape || shape.staged || this.#isImporting()) return { ok: false, error: "gone" };
    return { ok: true, value: db.chunks(blobId, fromSeq, RPC_VALUE_BUDGET_BYTES) };
  }

  /**
   * Before a put stages its large values: refuses it if it would conflict or break the store quota, and
   * registers the store. The value sizes are given as `planned` values.
   */
  async precheck(context: WriteContext, input: PutObjectsInput): Promise<Result<null, PutFailure>> {
    if (this.#isImporting()) return IMPORT_REFUSAL;
    return admit(this.#host, context, input);
  }

  /**
   * Appends chunks to a staged blob (a new one when `blobId` is null) and returns its id. A staged blob is
   * invisible until a putObjects commits it; one abandoned for STAGED_BLOB_TTL_MS is removed by the alarm.
   */
  async stageChunks(blobId: number | null, fromSeq: number, chunks: Uint8Array[]): Promise<Result<number, string>> {
    if (this.#isImporting()) return { ok: false, error: "importing" };
    const now = Date.now();
    const result = appendStaged(this.ctx.storage, this.#db, blobId, fromSeq, chunks, now);
    await armCollector(this.ctx.storage, now);
    return result;
  }

  /** Stages several small values (each at most one chunk) in one call; returns their blob ids in order. */
  async stageValues(values: Uint8Array[]): Promise<number[] | Importing> {
    if (this.#isImporting()) return IMPORTING;
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

  /** The one transactional write (core/writes.ts): every item applies, or none does; watchers hear of it. */
  async putObjects(context: WriteContext, input: PutObjectsInput): Promise<Result<null, PutFailure>> {
    if (this.#isImporting()) return IMPORT_REFUSAL;
    return this.#committed(await putObjects(this.#host, context, input));
  }

  /** Deletes `key` if it exists and `version` is -1 or matches; a miss is not an error; fenced writers are refused. */
  async deleteObject(context: WriteContext, key: string, version: number): Promise<Result<null, PutFailure>> {
    if (this.#isImporting()) return IMPORT_REFUSAL;
    return this.#committed(await deleteObject(this.#host, context, key, version));
  }

  #committed(result: Result<Applied | null, PutFailure>): Result<null, PutFailure> {
    if (!result.ok) return result;
    if (result.value) this.#watchers.committed(result.value);
    return OK;
  }

  /** Grants the writer lease (MULTIDEVICE.md §4); a lease is a write, so a new store registers first. */
  async acquireLease(context: WriteContext, holder: string, ttlSeconds: number, force: boolean): Promise<Result<LeaseView, LeaseRefusal | PutFailure>> {
    if (this.#isImporting()) return IMPORT_REFUSAL;
    const registered = await register(this.#host, context);
    if (!registered.ok) return registered;
    return acquireLease(this.ctx.storage, this.#db.lease, holder, ttlSeconds, force, Date.now());
  }

  renewLease(token: string, ttlSeconds: number): Result<LeaseView, LeaseRefusal | PutFailure> {
    const db = this.#forWallet();
    return isImporting(db) ? IMPORT_REFUSAL : renewLease(this.ctx.storage, db?.lease ?? null, token, ttlSeconds, Date.now());
  }

  releaseLease(token: string): Importing | null {
    const db = this.#forWallet();
    if (isImporting(db)) return db;
    if (db) releaseLease(this.ctx.storage, db.lease, token, Date.now());
    return null;
  }

  getLease(): LeaseView | null | Importing {
    const db = this.#forWallet();
    return isImporting(db) || !db ? db : liveLease(db.lease, Date.now());
  }

  /** The change feed after `since` (MULTIDEVICE.md §5); a store never written is at revision 0. */
  listChanges(since: number, pageSize: number): ChangesPage | Importing {
    const db = this.#forWallet();
    if (isImporting(db)) return db;
    return db ? changesSince(db.changes, since, pageSize, db.globalVersion()) : absentChanges(since);
  }

  /** getObjects (MULTIDEVICE.md §7): inline values and the heads of chunked ones, within `budgetBytes`. */
  getObjects(keys: string[], budgetBytes: number): BatchRead | Importing {
    const db = this.#forWallet();
    return isImporting(db) ? db : readBatch(db, keys, budgetBytes);
  }

  /**
   * The one HTTP entry point: a watcher handed over by the Worker, which checked its credentials (a hibernatable
   * socket cannot be handed over RPC). A ticket is used up here, once (401 when it was used before); then 101, or
   * 429 past the store's watcher limit.
   */
  override async fetch(request: Request): Promise<Response> {
    const watch = parseWatchRequest(request);
    if (!watch) return new Response(null, { status: 400 });
    const { ticket } = watch;
    if (ticket) {
      const db = this.#db;
      const now = Date.now();
      const fresh = this.ctx.storage.transactionSync(() => ticket.expiresAtMs > now && db.watch.useTicket(ticket.nonce, ticket.expiresAtMs, now));
      if (!fresh) {
        await this.#watchers.report(watch.owner);
        return new Response(null, { status: 401 });
      }
    }
    return this.#watchers.accept(watch.owner);
  }

  /** The watch sockets open now (the account asks when an identity seems to be at its limit). */
  openWatchers(): number {
    return this.#watchers.open();
  }

  /** Watchers send nothing the store needs: data messages are ignored (pings are answered by the runtime). */
  override webSocketMessage(): void {}

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    answerClose(socket, code);
    await this.#watcherGone(socket);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    await this.#watcherGone(socket);
  }

  async #watcherGone(socket: WebSocket): Promise<void> {
    const owner = this.#watchers.ownerOf(socket);
    if (owner) await this.#watchers.report(owner, socket);
  }

  listKeyVersions(input: ListInput): ListPage | Importing {
    if (this.#isImporting()) return IMPORTING;
    const db = this.#existingDb();
    if (!db) return absentList(input);
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
    this.#importing = null;
  }

  /** The store's state for the operator (creates nothing when the store was never written). */
  importStatus(): ImportStatus {
    const db = this.#existingDb();
    if (!db) return { state: "empty", importId: null, received: 0, source: null, keys: 0, bytes: 0, globalVersion: 0 };
    return importStatus(db, this.#transfer);
  }

  /** Starts or resumes an operator's import (transfer/transfer.ts); the store registers first, like a first write. */
  async importBegin(name: StoreName, request: { source: string; replace: boolean; force: boolean }): Promise<Result<ImportStatus, ImportFailure>> {
    const registered = await register(this.#host, { ...name, storeLimits: { bytes: 0, keys: 0 }, identityLimits: null, identityStores: 0, lease: null, changeRetentionMs: 0 });
    if (!registered.ok) return { ok: false, error: { kind: "invalid", message: registered.error.message } };
    const result = beginImport(this.ctx.storage, this.#db, this.#transfer, request);
    this.#importing = null;
    return result;
  }

  importPieces(importId: string, pieces: ImportPiece[]): Result<{ received: number }, ImportFailure> {
    return storeImportPieces(this.ctx.storage, this.#db, this.#transfer, importId, pieces);
  }

  /** Makes the import visible at once, then tells the account the store's usage (best effort). */
  async importCommit(name: StoreName, importId: string, summary: { keys: number; globalVersion: number }): Promise<Result<ImportStatus, ImportFailure>> {
    const result = commitImport(this.ctx.storage, this.#db, this.#transfer, importId, summary);
    this.#importing = null;
    if (!result.ok) return result;
    this.#watchers.committed({ revision: this.#db.changes.revision().revision, globalVersion: this.#db.globalVersion() });
    try {
      await accountFor(this.env, name.identity).report(name.storeId, { bytes: result.value.bytes, keys: result.value.keys });
    } catch (error) {
      console.error("usage report after an import failed; the store's next write sends it again", String(error));
    }
    return result;
  }

  /** Drops an unfinished import; the store is left empty. */
  importAbort(): ImportStatus {
    const status = abortImport(this.ctx.storage, this.#db, this.#transfer);
    this.#importing = null;
    return status;
  }

  /** A page of the operator's export (transfer/export.ts), oldest-created first. */
  exportPage(afterSeq: number): ExportPage | Importing {
    if (this.#isImporting()) return IMPORTING;
    const db = this.#existingDb();
    if (!db) return { items: [], done: true, revision: 0, ...(afterSeq === 0 ? { globalVersion: 0, keys: 0 } : {}) };
    return exportPage(db, this.#transfer, afterSeq, RPC_VALUE_BUDGET_BYTES);
  }

  /** Removes staged blobs that were never committed (their request died), then re-arms for the rest. */
  override async alarm(): Promise<void> {
    const db = this.#existingDb();
    if (db) await collectStaged(this.ctx.storage, db, Date.now());
  }
}
