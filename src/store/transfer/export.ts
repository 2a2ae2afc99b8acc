import type { StoreSql } from "../sql";
import type { TransferSql } from "./transfer-sql";
import { CHUNK_BYTES } from "../limits";

/** Heads read per export page before values are fetched. */
const EXPORT_HEADS_PER_PAGE = 512;

/** One exported object: an inline value whole, or a chunked value's first chunks (the rest via readBlob). */
export type ExportItem =
  | { seq: number; key: string; version: number; size: number; kind: "inline"; value: Uint8Array }
  | { seq: number; key: string; version: number; size: number; kind: "chunked"; blobId: number; chunkCount: number; chunks: Uint8Array[] };

/** A page of the export, oldest-created first. */
export interface ExportPage {
  items: ExportItem[];
  /** Present on the first page (afterSeq 0): the store's global version and key count when the export began. */
  globalVersion?: number;
  keys?: number;
  /** True when no object was created after the last item. */
  done: boolean;
  /** The store's revision when the page was read: a page at another revision than the first means a write came between. */
  revision: number;
  /** On the first page of a store with revisions: its chain (HISTORY.md §3), so that an import can continue it. */
  chain?: { incarnation: Uint8Array; digest: Uint8Array };
}

/**
 * The objects created after `afterSeq`, oldest first, carrying at most `budget` value bytes (always at least one
 * item, whose chunked value may need readBlob for the rest). Each page is read in one go and carries the store's
 * revision, so that the export stream can tell whether the pages together are one point in time.
 */
export function exportPage(db: StoreSql, transfer: TransferSql, afterSeq: number, budget: number): ExportPage {
  const heads = transfer.heads(afterSeq, EXPORT_HEADS_PER_PAGE);
  const items: ExportItem[] = [];
  let used = 0;
  for (const head of heads) {
    const remaining = budget - used;
    if (head.blobId === null) {
      if (items.length > 0 && head.size > remaining) return { items, done: false, ...first(db, afterSeq) };
      items.push({ seq: head.seq, key: head.key, version: head.version, size: head.size, kind: "inline", value: transfer.inlineValue(head.seq) });
      used += head.size;
    } else {
      if (items.length > 0 && remaining < CHUNK_BYTES) return { items, done: false, ...first(db, afterSeq) };
      const shape = db.blob(head.blobId);
      if (!shape) throw new Error(`object at seq ${head.seq} names missing blob ${head.blobId}`);
      const chunks = db.chunks(head.blobId, 0, Math.max(remaining, CHUNK_BYTES));
      items.push({ seq: head.seq, key: head.key, version: head.version, size: head.size, kind: "chunked", blobId: head.blobId, chunkCount: shape.chunkCount, chunks });
      used += chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    }
  }
  return { items, done: heads.length < EXPORT_HEADS_PER_PAGE, ...first(db, afterSeq) };
}

function first(db: StoreSql, afterSeq: number): Pick<ExportPage, "globalVersion" | "keys" | "revision" | "chain"> {
  const head = db.currentHead();
  if (afterSeq !== 0) return { revision: head.revision };
  const { incarnation } = db.history.bounds();
  const chain = head.revision > 0 && incarnation ? { incarnation, digest: head.digest } : undefined;
  return { globalVersion: db.globalVersion(), keys: db.usage().keys, revision: head.revision, chain };
}
