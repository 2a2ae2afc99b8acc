import { AdminError, type AdminApi } from "./api.js";
import { itemHead, type StoreItem } from "./frames.js";
import type { StoreOutcome } from "./report.js";

/** Item bytes per import request: large enough to amortize a round trip, far below any request limit. */
const REQUEST_BYTES = 24 * 1024 * 1024;
/** Fresh starts after a transient failure (each resumes where the server stopped). */
const RESUMES = 5;

/** One store to import: where it goes, what it comes from, and its items from any ordinal on. */
export interface UploadJob {
  identity: string;
  storeId: string;
  /** Names the source's content: a re-run finds the store already imported from it and leaves it alone. */
  source: string;
  keys: number;
  /** Value bytes over all its items (for the report). */
  bytes: number;
  globalVersion: number;
  /** The exported store's chain (incarnation, head revision and digest), for the import to continue it. */
  chain?: { incarnation: string; headRevision: string; headDigest: string };
  /** The source's items in creation order, starting at item `from`. */
  items(from: number): AsyncIterable<StoreItem>;
}

/**
 * Imports one store through /admin: a store already imported from the same source is left alone; one holding
 * other data, or with another source's import in progress, is skipped unless `replace`; an unfinished import
 * from the same source resumes at the item the server reached. The store
 * becomes visible to its wallet only at the commit.
 */
export async function uploadStore(api: AdminApi, job: UploadJob, options: { replace: boolean; dryRun: boolean }): Promise<StoreOutcome> {
  const status = await api.status(job.identity, job.storeId);
  const done: StoreOutcome = { kind: "done", keys: job.keys, bytes: job.bytes };
  if (status.state === "ready" && status.source === job.source) return { kind: "already", keys: job.keys, bytes: job.bytes };
  if (status.state === "ready" && !options.replace) {
    return { kind: "skipped", reason: "the target store already holds other data (written by its wallet, or imported from another source); --replace overwrites it" };
  }
  if (status.state === "importing" && status.source !== job.source && !options.replace) {
    return { kind: "skipped", reason: `an import from ${JSON.stringify(status.source)} is in progress on the target store; --replace takes it over` };
  }
  if (options.dryRun) return { kind: "would", keys: job.keys, bytes: job.bytes };
  for (let attempt = 1; ; attempt++) {
    try {
      const begun = await api.begin(job.identity, job.storeId, job.source, options.replace, job.chain);
      await send(api, job, begun.importId, begun.received);
      await api.commit(job.identity, job.storeId, begun.importId, job.keys, job.globalVersion);
      return done;
    } catch (error) {
      if (!(error instanceof AdminError && error.transient) || attempt >= RESUMES) throw error;
    }
  }
}

/** Sends the items from `from` on in requests of about REQUEST_BYTES. */
async function send(api: AdminApi, job: UploadJob, importId: string, from: number): Promise<void> {
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  let first = from;
  let next = from;
  const flush = async () => {
    if (parts.length === 0) return;
    const received = await api.items(job.identity, job.storeId, importId, first, Buffer.concat(parts));
    if (received !== next) throw new AdminError(0, `the server stored ${received} items, ${next} were sent`);
    parts = [];
    partBytes = 0;
    first = next;
  };
  for await (const item of job.items(from)) {
    const head = itemHead(item.key, item.version, item.value.byteLength);
    if (partBytes > 0 && partBytes + head.length + item.value.byteLength > REQUEST_BYTES) await flush();
    parts.push(head, item.value);
    partBytes += head.length + item.value.byteLength;
    next++;
  }
  await flush();
  if (next !== job.keys) throw new Error(`the source gave ${next} items, ${job.keys} were announced: did it change during the move?`);
}
