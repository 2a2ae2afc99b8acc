import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { migrate } from "./schema";
import { StoreSql } from "./sql";
import { applyPut } from "./put";
import { listPage } from "./list";
import { GLOBAL_VERSION_KEY, RPC_VALUE_BUDGET_BYTES, STAGED_BLOB_TTL_MS } from "./limits";
import type { ListInput, ListPage, PutFailure, PutObjectsInput, Result, StoredObject } from "./types";

/**
 * One store: the data of one (identity, store_id) pair in its own SQLite database. The object serializes every
 * call, and each write runs in one transactionSync, so writes to a store are linearizable.
 * Methods are the Worker's RPC surface; they never see protobuf.
 */
export class VssStore extends DurableObject<Env> {
  readonly #db: StoreSql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage);
    this.#db = new StoreSql(ctx.storage.sql);
  }

  /** The object under `key`; large values return their first chunks, the rest comes from readBlob. */
  getObject(key: string): StoredObject | null {
    if (key === GLOBAL_VERSION_KEY) {
      return { key, version: this.#db.globalVersion(), kind: "inline", value: new Uint8Array(0) };
    }
    const row = this.#db.read(key);
    if (!row) return null;
    if (row.blobId === null) return { key, version: row.version, kind: "inline", value: row.value ?? new Uint8Array(0) };
    const shape = this.#db.blob(row.blobId);
    if (!shape) throw new Error(`object ${JSON.stringify(key)} names missing blob ${row.blobId}`);
    const chunks = this.#db.chunks(row.blobId, 0, RPC_VALUE_BUDGET_BYTES);
    return { key, version: row.version, kind: "chunked", blobId: row.blobId, size: row.size, chunkCount: shape.chunkCount, chunks };
  }

  /** Further chunks of a committed blob; `gone` when a later write replaced or deleted it meanwhile. */
  readBlob(blobId: number, fromSeq: number): Result<Uint8Array[], "gone"> {
    const shape = this.#db.blob(blobId);
    if (!shape || shape.staged) return { ok: false, error: "gone" };
    return { ok: true, value: this.#db.chunks(blobId, fromSeq, RPC_VALUE_BUDGET_BYTES) };
  }

  /**
   * Appends chunks to a staged blob (a new one when `blobId` is null) and returns its id. A staged blob is
   * invisible until a putObjects commits it; one abandoned for STAGED_BLOB_TTL_MS is removed by the alarm.
   */
  async stageChunks(blobId: number | null, fromSeq: number, chunks: Uint8Array[]): Promise<Result<number, string>> {
    const now = Date.now();
    const result = this.ctx.storage.transactionSync((): Result<number, string> => {
      const target = blobId ?? this.#db.createBlob(now);
      const shape = this.#db.blob(target);
      if (!shape?.staged) return { ok: false, error: `blob ${target} is not being staged` };
      if (shape.chunkCount !== fromSeq) return { ok: false, error: `blob ${target} has ${shape.chunkCount} chunks, not ${fromSeq}` };
      chunks.forEach((chunk, i) => this.#db.appendChunk(target, fromSeq + i, chunk));
      return { ok: true, value: target };
    });
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + STAGED_BLOB_TTL_MS);
    return result;
  }

  /** The one transactional write: every item applies, or none does and the staged blobs it named are dropped. */
  putObjects(input: PutObjectsInput): Result<null, PutFailure> {
    const result = applyPut(this.ctx.storage, this.#db, input);
    if (!result.ok) this.#dropStaged(input);
    return result;
  }

  /** Deletes `key` if it exists and `version` is -1 or matches; a miss is not an error. */
  deleteObject(key: string, version: number): void {
    this.ctx.storage.transactionSync(() => {
      const head = this.#db.head(key);
      if (!head || (version !== -1 && version !== head.version)) return;
      this.#db.delete(key);
      if (head.blobId !== null) this.#db.deleteBlob(head.blobId);
    });
  }

  listKeyVersions(input: ListInput): ListPage {
    return listPage(this.#db, input);
  }

  /** Answers at once: the floor of a Worker → Durable Object round trip, for the benchmark. */
  ping(): true {
    return true;
  }

  /** Removes staged blobs that were never committed (their request died), then re-arms for the rest. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const id of this.#db.staleStagedBlobs(now - STAGED_BLOB_TTL_MS)) this.#db.deleteBlob(id);
    });
    const oldest = this.#db.oldestStagedAt();
    if (oldest !== null) await this.ctx.storage.setAlarm(oldest + STAGED_BLOB_TTL_MS);
  }

  #dropStaged(input: PutObjectsInput): void {
    this.ctx.storage.transactionSync(() => {
      for (const item of input.puts) {
        if (item.value.kind === "staged" && this.#db.blob(item.value.blobId)?.staged) this.#db.deleteBlob(item.value.blobId);
      }
    });
  }
}
