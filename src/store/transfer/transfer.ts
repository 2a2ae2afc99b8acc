import type { StoreSql } from "../sql";
import type { ImportState, TransferSql } from "./transfer-sql";
import { objectUsage } from "../core/usage";
import { CHUNK_BYTES, GLOBAL_VERSION_KEY, INLINE_VALUE_MAX_BYTES, MAX_KEY_CHARS } from "../limits";
import type { Result } from "../types";
import { recordImportRevision, type ExportedChain } from "./import-revision";

/** The largest value an import accepts: what the Worker can still serve whole (its request ceiling, config.ts). */
export const IMPORT_VALUE_MAX_BYTES = 48 * 1024 * 1024;

/** Where a store stands for the operator: empty, holding data, or being imported into. */
export interface ImportStatus {
  state: "empty" | "ready" | "importing";
  importId: string | null;
  /** Items stored by the running import (its resume point); 0 otherwise. */
  received: number;
  /** What the running or last completed import came from. */
  source: string | null;
  keys: number;
  bytes: number;
  globalVersion: number;
}

/** Why an import step did nothing. */
export interface ImportFailure {
  kind: "not-empty" | "busy" | "no-import" | "invalid";
  message: string;
}

/**
 * A piece of one imported item: its bytes from `offset`. A value of at most one chunk comes in one piece; a
 * larger one in chunk-sized pieces, in order, possibly over several calls (RPC messages are limited to 32 MiB).
 */
export interface ImportPiece {
  ordinal: number;
  key: string;
  version: number;
  size: number;
  offset: number;
  bytes: Uint8Array;
  /** On an item's last piece: the SHA-256 of its whole value (the Worker hashes it as it streams; HISTORY.md §3). */
  sha256?: Uint8Array;
}

/** Thrown inside a transaction to roll it back; never leaves this module. */
class Rejected extends Error {
  constructor(readonly failure: ImportFailure) {
    super(failure.message);
  }
}

const invalid = (message: string) => new Rejected({ kind: "invalid", message });

/** Runs `work` in one transaction; a Rejected rolls it back and becomes the failure value. */
function transaction<T>(storage: DurableObjectStorage, work: () => T): Result<T, ImportFailure> {
  try {
    return { ok: true, value: storage.transactionSync(work) };
  } catch (error) {
    if (error instanceof Rejected) return { ok: false, error: error.failure };
    throw error;
  }
}

/** The store's status for the operator. */
export function importStatus(db: StoreSql, transfer: TransferSql): ImportStatus {
  const state = transfer.importState();
  const usage = db.usage();
  const kind = state.importId !== null ? "importing" : transfer.holdsData() ? "ready" : "empty";
  return { state: kind, importId: state.importId, received: state.received, source: state.source, keys: usage.keys, bytes: usage.bytes, globalVersion: db.globalVersion() };
}

/**
 * Starts an import, or resumes the one in progress from the same source. A store holding data is refused
 * unless `replace`, which empties it first. An unfinished import from another source is refused — another
 * operator's resume point would be lost without a word — unless `force`, which drops it (it was never visible).
 */
export function beginImport(
  storage: DurableObjectStorage,
  db: StoreSql,
  transfer: TransferSql,
  request: { source: string; replace: boolean; force: boolean; chain: ExportedChain | null },
): Result<ImportStatus, ImportFailure> {
  return transaction(storage, () => {
    const state = transfer.importState();
    if (state.importId !== null && state.source === request.source) return importStatus(db, transfer);
    if (state.importId !== null && !request.force) {
      const message = `an import from ${JSON.stringify(state.source)} is in progress (${state.received} items received): abort it, or begin with force to replace it`;
      throw new Rejected({ kind: "busy", message });
    }
    if (state.importId === null && transfer.holdsData() && !request.replace) {
      throw new Rejected({ kind: "not-empty", message: "the store is not empty: import with replace to overwrite it" });
    }
    transfer.clearData();
    transfer.setImportState({ importId: crypto.randomUUID(), received: 0, partialBlob: null, source: request.source });
    transfer.setImportChain(request.chain);
    return importStatus(db, transfer);
  });
}

function checkItem(piece: ImportPiece): void {
  const where = `item ${piece.ordinal}`;
  if ([...piece.key].length > MAX_KEY_CHARS) throw invalid(`${where}: key longer than ${MAX_KEY_CHARS} characters`);
  if (piece.key === GLOBAL_VERSION_KEY) throw invalid(`${where}: the key ${GLOBAL_VERSION_KEY} is reserved for the store's version`);
  if (!Number.isSafeInteger(piece.version) || piece.version < 0) throw invalid(`${where}: version must be an integer in [0, 2^53)`);
  if (!Number.isSafeInteger(piece.size) || piece.size < 0 || piece.size > IMPORT_VALUE_MAX_BYTES) throw invalid(`${where}: value size out of range`);
}

function insert(db: StoreSql, piece: ImportPiece, inline: Uint8Array | null, blobId: number | null): void {
  try {
    db.insert(piece.key, piece.version, piece.size, inline, blobId, piece.sha256 ?? null, 0);
  } catch {
    throw invalid(`item ${piece.ordinal}: key ${JSON.stringify(piece.key)} appears twice`);
  }
}

/**
 * Stores pieces of the running import `importId`, in one transaction. Items before the resume point are
 * skipped (a batch sent again after a lost answer is harmless); a gap is refused. Returns the new resume point.
 */
export function storeImportPieces(storage: DurableObjectStorage, db: StoreSql, transfer: TransferSql, importId: string, pieces: ImportPiece[]): Result<{ received: number }, ImportFailure> {
  return transaction(storage, () => {
    const state: ImportState = transfer.importState();
    if (state.importId !== importId) throw new Rejected({ kind: "no-import", message: "no such import in progress on this store" });
    let bytes = 0;
    let keys = 0;
    for (const piece of pieces) {
      if (piece.ordinal < state.received) continue;
      if (piece.ordinal > state.received) throw invalid(`item ${piece.ordinal} arrived while item ${state.received} was expected`);
      if (piece.offset === 0) checkItem(piece);
      const end = piece.offset + piece.bytes.byteLength;
      if (end > piece.size) throw invalid(`item ${piece.ordinal}: more bytes than its size`);
      if (piece.size <= INLINE_VALUE_MAX_BYTES) {
        if (piece.offset !== 0 || end !== piece.size) throw invalid(`item ${piece.ordinal}: a small value comes in one piece`);
        insert(db, piece, piece.bytes, null);
      } else {
        if (piece.bytes.byteLength > CHUNK_BYTES) throw invalid(`item ${piece.ordinal}: pieces of a large value are at most ${CHUNK_BYTES} bytes`);
        if (piece.offset === 0) {
          if (state.partialBlob !== null) db.deleteBlob(state.partialBlob);
          state.partialBlob = transfer.createImportBlob();
        }
        const blob = state.partialBlob === null ? undefined : db.blob(state.partialBlob);
        if (state.partialBlob === null || !blob || blob.size !== piece.offset) throw invalid(`item ${piece.ordinal}: piece at offset ${piece.offset} out of order`);
        db.appendChunk(state.partialBlob, blob.chunkCount, piece.bytes);
        if (end < piece.size) continue;
        insert(db, piece, null, state.partialBlob);
        state.partialBlob = null;
      }
      const usage = objectUsage(piece.key, piece.size);
      bytes += usage.bytes;
      keys += usage.keys;
      state.received++;
    }
    if (keys > 0) db.addUsage(bytes, keys);
    transfer.setImportState(state);
    return { received: state.received };
  });
}

/**
 * Makes the import visible, all at once: checks that every announced item arrived, sets the global version and
 * ends the import state, and records the import as one revision (import-revision.ts). Returns the store's status.
 */
export function commitImport(
  storage: DurableObjectStorage,
  db: StoreSql,
  transfer: TransferSql,
  request: { storeId: string; importId: string; keys: number; globalVersion: number },
): Result<ImportStatus, ImportFailure> {
  return transaction(storage, () => {
    const state = transfer.importState();
    if (state.importId !== request.importId) throw new Rejected({ kind: "no-import", message: "no such import in progress on this store" });
    if (state.partialBlob !== null) throw invalid(`item ${state.received} is incomplete`);
    if (state.received !== request.keys) throw invalid(`${state.received} items arrived, the import announces ${request.keys}`);
    if (!Number.isSafeInteger(request.globalVersion) || request.globalVersion < 0) throw invalid("global version must be an integer in [0, 2^53)");
    db.setGlobalVersion(request.globalVersion);
    transfer.setImportState({ importId: null, received: 0, partialBlob: null, source: state.source });
    recordImportRevision(db, request.storeId, transfer.importChain(), Date.now());
    transfer.setImportChain(null);
    return importStatus(db, transfer);
  });
}

/** Drops an unfinished import (everything it stored) and leaves the store empty. */
export function abortImport(storage: DurableObjectStorage, db: StoreSql, transfer: TransferSql): ImportStatus {
  return storage.transactionSync(() => {
    if (transfer.importState().importId !== null) {
      transfer.clearData();
      transfer.setImportState({ importId: null, received: 0, partialBlob: null, source: null });
      transfer.setImportChain(null);
      // A replace emptied a store that had revisions: that is a change its chain and feed must show.
      if (db.meta().revision > 0) recordImportRevision(db, "", null, Date.now());
    }
    return importStatus(db, transfer);
  });
}
