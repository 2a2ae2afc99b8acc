import type { ObjectHead } from "../sql";
import { asBlob } from "../sql-blob";
import type { ExportedChain } from "./import-revision";

/** Where an operator's import stands (store_meta, the store's `import` schema migration). */
export interface ImportState {
  /** Set while an import is in progress: the store then refuses its wallet's requests. */
  importId: string | null;
  /** Items stored so far by the running import: the next item expected has this ordinal. */
  received: number;
  /** The blob of the large value still arriving (item `received`), if any. */
  partialBlob: number | null;
  /** What the running or last completed import came from (the operator tool's fingerprint of its source). */
  source: string | null;
}

/** An object's row for export: its head, and its inline value when it has no blob. */
export interface ExportRow extends ObjectHead {
  key: string;
}

/**
 * The SQL of the store's import and export (src/store/transfer.ts), apart from the put path's statements in
 * sql.ts. Synchronous: callers compose them inside transactionSync.
 */
export class TransferSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  importState(): ImportState {
    const row = this.#sql
      .exec<{ id: string | null; received: number; partial: number | null; source: string | null }>(
        "SELECT import_id AS id, import_received AS received, import_partial_blob AS partial, import_source AS source FROM store_meta WHERE id = 1",
      )
      .one();
    return { importId: row.id, received: row.received, partialBlob: row.partial, source: row.source };
  }

  setImportState(state: ImportState): void {
    this.#sql.exec(
      "UPDATE store_meta SET import_id = ?, import_received = ?, import_partial_blob = ?, import_source = ? WHERE id = 1",
      state.importId,
      state.received,
      state.partialBlob,
      state.source,
    );
  }

  /** The exported chain the running import continues (HISTORY.md §3), if it named one. */
  importChain(): ExportedChain | null {
    const row = this.#sql
      .exec<{ i: ArrayBuffer | null; r: number | null; d: ArrayBuffer | null }>(
        "SELECT import_chain_incarnation AS i, import_chain_revision AS r, import_chain_digest AS d FROM store_meta WHERE id = 1",
      )
      .one();
    return row.i && row.r !== null && row.d ? { incarnation: new Uint8Array(row.i), revision: row.r, digest: new Uint8Array(row.d) } : null;
  }

  setImportChain(chain: ExportedChain | null): void {
    this.#sql.exec(
      "UPDATE store_meta SET import_chain_incarnation = ?, import_chain_revision = ?, import_chain_digest = ? WHERE id = 1",
      asBlob(chain?.incarnation ?? null),
      chain?.revision ?? null,
      asBlob(chain?.digest ?? null),
    );
  }

  /** Empties the store: every object and blob, its global version and usage (the import state is kept). */
  clearData(): void {
    this.#sql.exec("DELETE FROM objects");
    this.#sql.exec("DELETE FROM blob_chunks");
    this.#sql.exec("DELETE FROM blobs");
    this.#sql.exec("UPDATE store_meta SET global_version = 0, used_bytes = 0, used_keys = 0 WHERE id = 1");
  }

  /** Whether the store holds anything a wallet could see: a key or a global version. */
  holdsData(): boolean {
    return this.#sql.exec<{ n: number }>("SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM objects LIMIT 1)) + (SELECT global_version FROM store_meta WHERE id = 1) AS n").one().n > 0;
  }

  /** A blob that import fills directly: committed-looking (staged_at NULL), so the staged-blob collector leaves it. */
  createImportBlob(): number {
    return this.#sql.exec<{ id: number }>("INSERT INTO blobs (staged_at) VALUES (NULL) RETURNING id").one().id;
  }

  /** Objects created after `afterSeq`, oldest first, without values. */
  heads(afterSeq: number, limit: number): ExportRow[] {
    return this.#sql
      .exec<{ seq: number; key: string; version: number; size: number; blob_id: number | null }>(
        "SELECT seq, key, version, size, blob_id FROM objects WHERE seq > ? ORDER BY seq LIMIT ?",
        afterSeq,
        limit,
      )
      .toArray()
      .map((row) => ({ seq: row.seq, key: row.key, version: row.version, size: row.size, blobId: row.blob_id }));
  }

  /** The inline value of the object at `seq`. */
  inlineValue(seq: number): Uint8Array {
    const row = this.#sql.exec<{ value: ArrayBuffer | null }>("SELECT value FROM objects WHERE seq = ?", seq).toArray()[0];
    return row?.value ? new Uint8Array(row.value) : new Uint8Array(0);
  }
}
