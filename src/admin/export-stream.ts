import { createHash } from "node:crypto";
import { toHex } from "../codec/hex";
import { storeImporting } from "../errors";
import type { ExportItem, ExportPage } from "../store/transfer/export";
import { isImporting } from "../store/types";
import type { VssStore } from "../store/vss-store";
import { FRAME_END, FRAME_HEADER, MAGIC, itemFrameHead, jsonFrame, type ExportEnd, type ExportHeader } from "./frames";

type Store = DurableObjectStub<VssStore>;

/**
 * The whole store as one export stream (docs/export-format.md), produced page by page as the client reads it:
 * the Worker holds at most one page (≤ 16 MiB of values) at a time, whatever the store's size. The export is one
 * point in time, the store's revision when it began: a write that lands meanwhile (a page read at another
 * revision, or a chunked value replaced while it streams) makes the stream fail (no end frame), and the client
 * exports again — so a backup of a running service never holds half of a multi-key write.
 */
export async function exportStream(store: Store, identity: string, storeId: string): Promise<ReadableStream<Uint8Array>> {
  const first = await store.exportPage(storeId, 0);
  if (isImporting(first)) throw storeImporting();
  const hash = createHash("sha256");
  let keys = 0;
  let valueBytes = 0;
  let page: ExportPage | null = first;
  let lastSeq = 0;
  const emit = (controller: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array) => {
    hash.update(bytes);
    controller.enqueue(bytes);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const header: ExportHeader = { identity, storeId, globalVersion: String(first.globalVersion ?? 0), keys: first.keys ?? 0 };
        if (first.chain) Object.assign(header, { incarnation: toHex(first.chain.incarnation), headRevision: String(first.revision), headDigest: toHex(first.chain.digest) });
        emit(controller, MAGIC);
        emit(controller, jsonFrame(FRAME_HEADER, header));
      },
      async pull(controller) {
        if (page === null) {
          const next = await store.exportPage(storeId, lastSeq);
          if (isImporting(next)) return controller.error(new Error("the store began an import during the export"));
          if (next.revision !== first.revision) return controller.error(new Error("the store was written during the export; export it again"));
          page = next;
        }
        for (const item of page.items) {
          emit(controller, itemFrameHead(item.key, item.version, item.size));
          if (!(await emitValue(store, item, (bytes) => emit(controller, bytes)))) {
            return controller.error(new Error(`the value of ${JSON.stringify(item.key)} changed during the export`));
          }
          keys++;
          valueBytes += item.size;
          lastSeq = item.seq;
        }
        const done = page.done;
        page = null;
        if (done) {
          const end: ExportEnd = { keys, valueBytes, sha256: hash.digest("hex") };
          controller.enqueue(jsonFrame(FRAME_END, end));
          controller.close();
        }
      },
    },
    { highWaterMark: 0 },
  );
}

/** Emits an item's value; false when its blob was replaced before every chunk was read. */
async function emitValue(store: Store, item: ExportItem, emit: (bytes: Uint8Array) => void): Promise<boolean> {
  if (item.kind === "inline") {
    emit(item.value);
    return true;
  }
  let sent = 0;
  for (const chunk of item.chunks) emit(chunk);
  sent += item.chunks.length;
  while (sent < item.chunkCount) {
    const more = await store.readBlob(item.blobId, sent);
    if (!more.ok || more.value.length === 0) return false;
    for (const chunk of more.value) emit(chunk);
    sent += more.value.length;
  }
  return true;
}
