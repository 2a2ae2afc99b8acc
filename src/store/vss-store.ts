import { DurableObject } from "cloudflare:workers";
import { STORE_MIGRATIONS } from "../../migrations";
import { accountFor } from "../account/vss-account";
import type { Env } from "../env";
import { migrate } from "./schema";
import { StoreSql } from "./sql";
import { applyPut, deleteExisting } from "./put";
import { listPage } from "./list";
import { sameUsage } from "./usage";
import { GLOBAL_VERSION_KEY, RPC_VALUE_BUDGET_BYTES, STAGED_BLOB_TTL_MS } from "./limits";
import { TransferSql } from "./transfer-sql";
import { abortImport, beginImport, commitImport, importStatus, storeImportPieces, type ImportFailure, type ImportPiece, type ImportStatus } from "./transfer";
import { exportPage, type ExportPage } from "./export";
import { IMPORTING, type Importing, type Limits, type ListInput, type ListPage, type PutFailure, type PutObjectsInput, type Result, type StoredObject, type Usage, type WriteContext } from "./types";

/** Which store a call is about, for its account object (registration, usage reports). */
type StoreName = Pick<WriteContext, "identity" | "storeId">;

/**
 * One store: the data of one (identity, store_id) pair in its own SQLite database. The object serializes every
 * call, and each write runs in one transactionSync, so writes to a store are linearizable.
 * Methods are the Worker's RPC surface; they never see protobuf.
 */
export class VssStore extends DurableObject<Env> {
  #sql: StoreSql | null = null;
  /** Known to be registered with the account object (read from store_meta once per wake). */
  #registered = false;
  /** Whether an operator's import is in progress (null: not read since waking). */
  #importing: boolean | null = null;

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

  get #transfer(): TransferSql {
    return new TransferSql(this.ctx.storage.sql);
  }

  /** While an import is in progress every wallet-facing call answers IMPORTING (read once per wake). */
  #isImporting(): boolean {
    if (this.#importing === null) {
      const db = this.#existingDb();
      this.#importing = db !== null && this.#transfer.importState().importId !== null;
    }
    return this.#importing;
  }

  /** The object under `key`; large values return their first chunks, the rest comes from readBlob. */
  getObject(key: string): StoredObject | null | Importing {
    if (this.#isImporting()) return IMPORTING;
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
    if (!db || !shape || shape.staged || this.#isImporting()) return { ok: false, error: "gone" };
    return { ok: true, value: db.chunks(blobId, fromSeq, RPC_VALUE_BUDGET_BYTES) };
  }

  /**
   * Appends chunks to a staged blob (a new one when `blobId` is null) and returns its id. A staged blob is
   * invisible until a putObjects commits it; one abandoned for STAGED_BLOB_TTL_MS is removed by the alarm.
   */
  async stageChunks(blobId: number | null, fromSeq: number, chunks: Uint8Array[]): Promise<Result<number, string>> {
    if (this.#isImporting()) return { ok: false, error: "importing" };
    const now = Date.now();
    const db = this.#db;
    const result = this.ctx.storage.transactionSync((): Result<number, string> => {
      const target = blobId ?? db.createBlob(now);
      const shape = db.blob(target);
      if (!shape?.staged) return { ok: false, error: `blob ${target} is not being staged` };
      if (shape.chunkCount !== fromSeq) return { ok: false, error: `blob ${target} has ${shape.chunkCount} chunks, not ${fromSeq}` };
      chunks.forEach((chunk, i) => db.appendChunk(target, fromSeq + i, chunk));
      return { ok: true, value: target };
    });
    await this.#armCollector(now);
    return result;
  }

  /**
   * Stages several small values (each at most one chunk) in one call, each as its own one-chunk blob; returns
   * their ids in order. Used for the inline values of a putObjects that do not fit in its own RPC call.
   */
  async stageValues(values: Uint8Array[]): Promise<number[] | Importing> {
    if (this.#isImporting()) return IMPORTING;
    const now = Date.now();
    const db = this.#db;
    const ids = this.ctx.storage.transactionSync(() =>
      values.map((value) => {
        const id = db.createBlob(now);
        db.appendChunk(id, 0, value);
        return id;
      }),
    );
    await this.#armCollector(now);
    return ids;
  }

  /** Makes sure the alarm that removes abandoned staged blobs will run. */
  async #armCollector(now: number): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + STAGED_BLOB_TTL_MS);
  }

  /**
   * The one transactional write: every item applies, or none does and the staged blobs it named are dropped.
   * With identity quotas on, a write that grows the store first reserves its new usage with the account object,
   * with this store's other calls held back meanwhile so that the trial and the real write see the same state.
   */
  async putObjects(context: WriteContext, input: PutObjectsInput): Promise<Result<null, PutFailure>> {
    if (this.#isImporting()) return { ok: false, error: { kind: "importing", message: "the store is being imported" } };
    await this.#register(context);
    const identityLimits = context.identityLimits;
    const result = identityLimits
      ? await this.ctx.blockConcurrencyWhile(() => this.#putWithinIdentityQuota(context, identityLimits, input))
      : applyPut(this.ctx.storage, this.#db, input, context.storeLimits);
    if (!result.ok) {
      this.#dropStaged(input);
      return result;
    }
    return { ok: true, value: null };
  }

  /**
   * Trial, reservation, write: run with this store's other calls held back, so that the trial and the write see
   * the same state. Never throws (a throw would reset the object): an unreachable account object is a failure
   * value before the write, and only logged after it (the next reservation sends the exact usage again).
   */
  async #putWithinIdentityQuota(context: WriteContext, limits: Limits, input: PutObjectsInput): Promise<Result<Usage, PutFailure>> {
    const before = this.#db.usage();
    const trial = applyPut(this.ctx.storage, this.#db, input, context.storeLimits, true);
    if (!trial.ok) return trial;
    const grows = trial.value.bytes > before.bytes || trial.value.keys > before.keys;
    if (grows) {
      let reserved: Result<null, string>;
      try {
        reserved = await accountFor(this.env, context.identity).reserve(context.storeId, trial.value, limits);
      } catch (error) {
        return { ok: false, error: { kind: "unavailable", message: `account object unavailable: ${String(error)}` } };
      }
      if (!reserved.ok) return { ok: false, error: { kind: "quota", message: reserved.error } };
    }
    const applied = applyPut(this.ctx.storage, this.#db, input, context.storeLimits);
    if (applied.ok && !grows && !sameUsage(before, applied.value)) await this.#report(context, applied.value);
    return applied;
  }

  /** Deletes `key` if it exists and `version` is -1 or matches; a miss is not an error. */
  async deleteObject(context: WriteContext, key: string, version: number): Promise<Importing | null> {
    if (this.#isImporting()) return IMPORTING;
    const db = this.#existingDb();
    if (!db) return null;
    const remove = (): Usage | null =>
      this.ctx.storage.transactionSync(() => {
        const head = db.head(key);
        if (!head || (version !== -1 && version !== head.version)) return null;
        const delta = deleteExisting(db, key, head);
        db.addUsage(delta.bytes, delta.keys);
        return context.identityLimits ? db.usage() : null;
      });
    if (!context.identityLimits) {
      remove();
      return null;
    }
    // Reported in the same serialized section as reservations, so the account never sees usages out of order.
    await this.ctx.blockConcurrencyWhile(async () => {
      const usage = remove();
      if (usage) await this.#report(context, usage);
    });
    return null;
  }

  listKeyVersions(input: ListInput): ListPage | Importing {
    if (this.#isImporting()) return IMPORTING;
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
    this.#registered = false;
    this.#importing = null;
  }

  /** The store's state for the operator (creates nothing when the store was never written). */
  importStatus(): ImportStatus {
    const db = this.#existingDb();
    if (!db) return { state: "empty", importId: null, received: 0, source: null, keys: 0, bytes: 0, globalVersion: 0 };
    return importStatus(db, this.#transfer);
  }

  /** Starts or resumes an operator's import (src/store/transfer.ts); the store registers first, like a write. */
  async importBegin(name: StoreName, request: { source: string; replace: boolean }): Promise<Result<ImportStatus, ImportFailure>> {
    await this.#register(name);
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
    if (result.ok) await this.#report(name, { bytes: result.value.bytes, keys: result.value.keys });
    return result;
  }

  /** Drops an unfinished import; the store is left empty. */
  importAbort(): ImportStatus {
    const status = abortImport(this.ctx.storage, this.#db, this.#transfer);
    this.#importing = null;
    return status;
  }

  /** A page of the operator's export (src/store/export.ts), oldest-created first. */
  exportPage(afterSeq: number): ExportPage | Importing {
    if (this.#isImporting()) return IMPORTING;
    const db = this.#existingDb();
    if (!db) return { items: [], done: true, ...(afterSeq === 0 ? { globalVersion: 0, keys: 0 } : {}) };
    return exportPage(db, this.#transfer, afterSeq, RPC_VALUE_BUDGET_BYTES);
  }

  /** Removes staged blobs that were never committed (their request died), then re-arms for the rest. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const db = this.#db;
    this.ctx.storage.transactionSync(() => {
      for (const id of db.staleStagedBlobs(now - STAGED_BLOB_TTL_MS)) db.deleteBlob(id);
    });
    const oldest = db.oldestStagedAt();
    if (oldest !== null) await this.ctx.storage.setAlarm(oldest + STAGED_BLOB_TTL_MS);
  }

  /** Before its first write, a store tells its identity's account that it exists, so deletion finds it. */
  async #register(context: StoreName): Promise<void> {
    if (this.#registered || (this.#registered = this.#db.registered())) return;
    await accountFor(this.env, context.identity).register(context.storeId, context.identity);
    this.#db.markRegistered();
    this.#registered = true;
  }

  /** Best effort: a write is already committed when its usage is reported. */
  async #report(context: StoreName, usage: Usage): Promise<void> {
    try {
      await accountFor(this.env, context.identity).report(context.storeId, usage);
    } catch (error) {
      console.error("usage report to the account object failed; the next write of this store sends it again", String(error));
    }
  }

  #dropStaged(input: PutObjectsInput): void {
    const db = this.#db;
    this.ctx.storage.transactionSync(() => {
      for (const item of input.puts) {
        if (item.value.kind === "staged" && db.blob(item.value.blobId)?.staged) db.deleteBlob(item.value.blobId);
      }
    });
  }
}
