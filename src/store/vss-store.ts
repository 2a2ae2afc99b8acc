import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { StoreState } from "./core/store-state";
import { listPage } from "./core/list";
import { RPC_VALUE_BUDGET_BYTES } from "./limits";
import { readObject } from "./core/read";
import { appendStaged, armCollector, collectStaged, dropStagedBlobs, stageSmallValues } from "./transfer/staging";
import { admit, deleteObject, putObjects, register, type StoreHost } from "./core/writes";
import { GroupCommit } from "./core/group-commit";
import { readBatch, type BatchRead } from "./core/batch-read";
import { changesSince, type ChangesPage } from "./feed/changes";
import { acquireLease, liveLease, releaseLease, renewLease, type LeaseRefusal, type LeaseView } from "./lease/lease";
import type { Applied } from "./core/put";
import { answerClose, parseWatchRequest, Watchers } from "./feed/watch";
import { abortImport, beginImport, commitImport, importStatus, storeImportPieces, type ImportFailure, type ImportPiece, type ImportStatus } from "./transfer/transfer";
import { exportPage, type ExportPage } from "./transfer/export";
import type { ExportedChain } from "./transfer/import-revision";
import { absentChanges, absentList } from "./core/absent";
import { ensureBase } from "./history/base";
import { historyPage, type HistoryPage } from "./history/read";
import { versionAt, type VersionAnswer } from "./history/version";
import { OVER_ALLOWANCE_DELAY_MS, pruneHistory } from "./history/prune";
import { accountFor } from "../account/vss-account";
import { IMPORTING, isImporting, type Head, type Headed, type Importing, type ListInput, type ListPage, type PutFailure, type PutObjectsInput, type Result, type StoredObject, type Usage, type WriteContext } from "./types";

/** Which store an operator's call is about. */
type StoreName = Pick<WriteContext, "identity" | "storeId">;
const IMPORT_REFUSAL: Result<never, PutFailure> = { ok: false, error: { kind: "importing", message: "the store is being imported" } };

/**
 * One store: the data of one (identity, store_id) pair in its own SQLite database. The object serializes every
 * call, and each write runs in one transactionSync, so writes to a store are linearizable.
 * Methods are the Worker's RPC surface; they never see protobuf, and delegate to the modules beside this one.
 * Wallet-facing answers carry the head they were served at (HISTORY.md §2).
 */
export class VssStore extends DurableObject<Env> {
  readonly #state: StoreState;
  readonly #host: StoreHost;
  readonly #watchers: Watchers;
  readonly #group: GroupCommit;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const state = (this.#state = new StoreState(ctx.storage));
    this.#watchers = new Watchers(ctx, env, () => {
      const db = state.existing();
      const head = state.head(db);
      return { revision: head.revision, digest: head.digest, globalVersion: db?.globalVersion() ?? 0 };
    });
    this.#group = new GroupCommit(ctx.storage);
    this.#host = {
      storage: ctx.storage,
      env,
      db: () => state.db,
      existing: () => state.existing(),
      registered: false,
      erasures: 0,
      exclusive: (work) => ctx.blockConcurrencyWhile(work),
      grouped: (work) => this.#group.run(work),
      erase: () => this.erase(),
    };
  }

  /** getObject (core/read.ts): a large value comes with its first chunks, up to `chunkBytes`; readBlob has the rest. */
  getObject(storeId: string, key: string, chunkBytes = RPC_VALUE_BUDGET_BYTES): Headed<StoredObject | null> | Importing {
    const db = this.#state.forWallet(storeId);
    return isImporting(db) ? db : { head: this.#state.head(db), value: readObject(db, key, chunkBytes) };
  }

  /** Further chunks of a committed blob (a live value or a retained past one); `gone` when it was dropped meanwhile. */
  readBlob(blobId: number, fromSeq: number): Result<Uint8Array[], "gone"> {
    const db = this.#state.existing();
    const shape = db?.blob(blobId);
    if (!db || !shape || shape.staged || this.#state.isImporting()) return { ok: false, error: "gone" };
    return { ok: true, value: db.chunks(blobId, fromSeq, RPC_VALUE_BUDGET_BYTES) };
  }

  /** Before a put stages its large values: refuses one that would conflict or break the store quota; registers the store. */
  async precheck(context: WriteContext, input: PutObjectsInput): Promise<Result<null, PutFailure>> {
    if (isImporting(this.#state.forWallet(context.storeId))) return IMPORT_REFUSAL;
    return this.#withHead(await admit(this.#host, context, input));
  }

  /** Appends chunks to a staged blob (a new one when `blobId` is null); invisible until a putObjects commits it. */
  async stageChunks(blobId: number | null, fromSeq: number, chunks: Uint8Array[]): Promise<Result<number, string>> {
    if (this.#state.isImporting()) return { ok: false, error: "importing" };
    const now = Date.now();
    const result = appendStaged(this.ctx.storage, this.#state.db, blobId, fromSeq, chunks, now);
    await this.#state.armAlarm(armCollector(now));
    return result;
  }

  /** Stages several small values (each at most one chunk) in one call; returns their blob ids in order. */
  async stageValues(values: Uint8Array[]): Promise<number[] | Importing> {
    if (this.#state.isImporting()) return IMPORTING;
    const now = Date.now();
    const ids = stageSmallValues(this.ctx.storage, this.#state.db, values, now);
    await this.#state.armAlarm(armCollector(now));
    return ids;
  }

  /** Drops staged blobs whose put will never come (its request failed before committing). */
  dropStaged(ids: number[]): void {
    const db = this.#state.existing();
    if (db) dropStagedBlobs(this.ctx.storage, db, ids);
  }

  /** The one transactional write (core/writes.ts): every item applies, or none does; watchers hear of it. */
  async putObjects(context: WriteContext, input: PutObjectsInput): Promise<Result<Head, PutFailure>> {
    if (isImporting(this.#state.forWallet(context.storeId))) return IMPORT_REFUSAL;
    return this.#committed(context, await putObjects(this.#host, context, input));
  }

  /** Deletes `key` if it exists and `version` is -1 or matches; a miss is not an error; fenced writers are refused. */
  async deleteObject(context: WriteContext, key: string, version: number): Promise<Result<Head, PutFailure>> {
    if (isImporting(this.#state.forWallet(context.storeId))) return IMPORT_REFUSAL;
    return this.#committed(context, await deleteObject(this.#host, context, key, version));
  }

  /** A refused write answers the head it was refused at. */
  #withHead<T>(result: Result<T, PutFailure>): Result<T, PutFailure> {
    return result.ok ? result : { ok: false, error: { ...result.error, head: this.#state.head() } };
  }

  /** After a write: the head it made (or the current one); watchers hear of it; the history's pruning is scheduled. */
  async #committed(context: WriteContext, result: Result<Applied | null, PutFailure>): Promise<Result<Head, PutFailure>> {
    if (!result.ok) return this.#withHead(result);
    const applied = result.value;
    if (!applied) return { ok: true, value: this.#state.head() };
    this.#watchers.committed(applied);
    const now = Date.now();
    if (applied.historyBytes > context.history.allowanceBytes) await this.#state.armAlarm(now + OVER_ALLOWANCE_DELAY_MS);
    else if (applied.retained) await this.#state.armAlarm(now + context.history.valuesMs);
    return { ok: true, value: { revision: applied.revision, digest: applied.digest } };
  }

  /** Grants the writer lease (MULTIDEVICE.md §4); a lease is a write, so a new store registers first. */
  async acquireLease(context: WriteContext, holder: string, ttlSeconds: number, force: boolean): Promise<Result<LeaseView, LeaseRefusal | PutFailure>> {
    if (isImporting(this.#state.forWallet(context.storeId))) return IMPORT_REFUSAL;
    const registered = await register(this.#host, context);
    if (!registered.ok) return registered;
    return acquireLease(this.ctx.storage, this.#state.db.lease, holder, ttlSeconds, force, Date.now());
  }

  renewLease(token: string, ttlSeconds: number): Result<LeaseView, LeaseRefusal | PutFailure> {
    if (this.#state.isImporting()) return IMPORT_REFUSAL;
    return renewLease(this.ctx.storage, this.#state.existing()?.lease ?? null, token, ttlSeconds, Date.now());
  }

  releaseLease(token: string): Importing | null {
    if (this.#state.isImporting()) return IMPORTING;
    const db = this.#state.existing();
    if (db) releaseLease(this.ctx.storage, db.lease, token, Date.now());
    return null;
  }

  getLease(): LeaseView | null | Importing {
    if (this.#state.isImporting()) return IMPORTING;
    const db = this.#state.existing();
    return db && liveLease(db.lease, Date.now());
  }

  /** The change feed after `since` (MULTIDEVICE.md §5); a store never written is at revision 0. */
  listChanges(storeId: string, since: number, pageSize: number): Headed<ChangesPage> | Importing {
    const db = this.#state.forWallet(storeId);
    if (isImporting(db)) return db;
    return { head: this.#state.head(db), value: db ? changesSince(db.changes, since, pageSize, db.globalVersion()) : absentChanges(since) };
  }

  /** getObjects (MULTIDEVICE.md §7): inline values and the heads of chunked ones, within `budgetBytes`. */
  getObjects(storeId: string, keys: string[], budgetBytes: number): Headed<BatchRead> | Importing {
    const db = this.#state.forWallet(storeId);
    return isImporting(db) ? db : { head: this.#state.head(db), value: readBatch(db, keys, budgetBytes) };
  }

  listKeyVersions(storeId: string, input: ListInput): Headed<ListPage> | Importing {
    const db = this.#state.forWallet(storeId);
    if (isImporting(db)) return db;
    return { head: this.#state.head(db), value: db ? listPage(db, input) : absentList(input) };
  }

  /** getHistory (HISTORY.md §4, history/read.ts). */
  getHistory(storeId: string, afterRevision: number, pageSize: number, resumeKey: string | null): HistoryPage | Importing {
    const db = this.#state.forWallet(storeId);
    return isImporting(db) ? db : historyPage(db, afterRevision, pageSize, resumeKey);
  }

  /** getVersion (HISTORY.md §4, history/version.ts): a large value comes with its first chunks, as for getObject. */
  getVersion(storeId: string, key: string, revision: number, chunkBytes = RPC_VALUE_BUDGET_BYTES): Headed<VersionAnswer> | Importing {
    const db = this.#state.forWallet(storeId);
    return isImporting(db) ? db : { head: this.#state.head(db), value: versionAt(db, key, revision, chunkBytes) };
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
      const db = this.#state.db;
      const now = Date.now();
      const fresh = this.ctx.storage.transactionSync(() => ticket.expiresAtMs > now && db.watch.useTicket(ticket.nonce, ticket.expiresAtMs, now));
      if (!fresh) {
        await this.#watchers.report(watch.owner, true);
        return new Response(null, { status: 401 });
      }
    }
    // A store older than history gets its base before its first notification carries a digest (history/base.ts).
    if (!this.#state.isImporting()) this.#state.forWallet(watch.owner.storeId);
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
    await this.#watchers.gone(socket);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    await this.#watchers.gone(socket);
  }

  /** The store's exact usage (bytes and keys). */
  usage(): Usage {
    return this.#state.existing()?.usage() ?? { bytes: 0, keys: 0 };
  }

  /** Answers at once: the floor of a Worker → Durable Object round trip, for the benchmark. */
  ping(): true {
    return true;
  }

  /** Removes everything the store holds (account deletion); the next call starts from an empty schema. */
  async erase(): Promise<void> {
    // Writes already waiting for a group commit land first (and are erased with the rest); any write still on its
    // way is refused (core/writes.ts, ERASED) instead of landing after the erase.
    this.#group.flushNow();
    this.#host.erasures++;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#state.erased();
    this.#host.registered = false;
  }

  /** The store's state for the operator (creates nothing when the store was never written). */
  importStatus(): ImportStatus {
    const db = this.#state.existing();
    if (!db) return { state: "empty", importId: null, received: 0, source: null, keys: 0, bytes: 0, globalVersion: 0 };
    return importStatus(db, this.#state.transfer);
  }

  /** Starts or resumes an operator's import (transfer/transfer.ts); the store registers first, like a first write. */
  async importBegin(name: StoreName, request: { source: string; replace: boolean; force: boolean; chain: ExportedChain | null }): Promise<Result<ImportStatus, ImportFailure>> {
    const registered = await register(this.#host, { ...name, identityStores: 0 });
    if (!registered.ok) return { ok: false, error: { kind: "invalid", message: registered.error.message } };
    ensureBase(this.ctx.storage, this.#state.db, name.storeId);
    const result = beginImport(this.ctx.storage, this.#state.db, this.#state.transfer, request);
    this.#state.importChanged();
    return result;
  }

  importPieces(importId: string, pieces: ImportPiece[]): Result<{ received: number }, ImportFailure> {
    return storeImportPieces(this.ctx.storage, this.#state.db, this.#state.transfer, importId, pieces);
  }

  /** Makes the import visible at once as one revision, then tells the account the store's usage (best effort). */
  async importCommit(name: StoreName, importId: string, summary: { keys: number; globalVersion: number }): Promise<Result<ImportStatus, ImportFailure>> {
    const result = commitImport(this.ctx.storage, this.#state.db, this.#state.transfer, { storeId: name.storeId, importId, ...summary });
    this.#state.importChanged();
    if (!result.ok) return result;
    const head = this.#state.db.currentHead();
    this.#watchers.committed({ revision: head.revision, digest: head.digest, globalVersion: this.#state.db.globalVersion() });
    try {
      await accountFor(this.env, name.identity).report(name.storeId, { bytes: result.value.bytes, keys: result.value.keys });
    } catch (error) {
      console.error("usage report after an import failed; the store's next write sends it again", String(error));
    }
    return result;
  }

  /** Drops an unfinished import; the store is left empty (a store it replaced records that as a revision). */
  importAbort(): ImportStatus {
    const status = abortImport(this.ctx.storage, this.#state.db, this.#state.transfer);
    this.#state.importChanged();
    return status;
  }

  /** A page of the operator's export (transfer/export.ts), oldest-created first; the first carries the chain. */
  exportPage(storeId: string, afterSeq: number): ExportPage | Importing {
    const db = this.#state.forWallet(storeId);
    if (isImporting(db)) return db;
    if (!db) return { items: [], done: true, revision: 0, ...(afterSeq === 0 ? { globalVersion: 0, keys: 0 } : {}) };
    return exportPage(db, this.#state.transfer, afterSeq, RPC_VALUE_BUDGET_BYTES);
  }

  /** The staged-blob collector and the history's pruning, then the alarm again for whichever is due first. */
  override async alarm(): Promise<void> {
    this.#state.alarmFired();
    const db = this.#state.existing();
    if (!db) return;
    const now = Date.now();
    const dues = [collectStaged(this.ctx.storage, db, now), pruneHistory(this.ctx.storage, db, now)].filter((d): d is number => d !== null);
    if (dues.length > 0) await this.#state.armAlarm(Math.min(...dues));
  }
}
