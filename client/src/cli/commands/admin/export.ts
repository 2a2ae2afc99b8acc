import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AdminApi, type StoreStatus } from "./api.js";
import { readExport } from "./frames.js";
import { userTokenOf } from "./identity-map.js";
import { adminToken, isPostgresUrl, required, type AdminOptions } from "./options.js";
import { eachConcurrently } from "./pool.js";
import { connectPostgres } from "./postgres.js";
import { ReferenceTarget } from "./postgres-target.js";
import { redact } from "./migrate.js";
import { Report } from "./report.js";

/** The manifest of an export directory (docs/export-format.md). */
export interface Manifest {
  format: "vss-deployment-export";
  formatVersion: 1;
  stores: { identity: string; storeId: string; file: string; keys: number; valueBytes: number; sha256: string }[];
}
export const MANIFEST = "manifest.json";
/** Tries per store: an export fails (no end frame) when its wallet replaced a large value meanwhile. */
const EXPORT_ATTEMPTS = 3;

/** Every (identity, store_id) of the deployment, or of the chosen identities, in the directory's order. */
async function* storesOf(api: AdminApi, identities: string[]): AsyncIterable<{ identity: string; storeId: string; index: number }> {
  let index = 0;
  let list = identities;
  for (let cursor: string | null = ""; cursor !== null; ) {
    if (identities.length === 0) {
      const page = await api.identities(cursor);
      list = page.identities;
      cursor = page.next;
    } else cursor = null;
    for (const identity of list) for (const storeId of await api.stores(identity)) yield { identity, storeId, index: index++ };
  }
}

/**
 * `vss admin export --from https://host --to DIR | postgres://…`: every store (or those of --identity), read
 * through the deployment's export stream. DIR gets one verbatim export file per store and a manifest, written
 * last; postgres gets the reference server's rows.
 */
export async function exportDeployment(options: AdminOptions): Promise<Report> {
  const api = new AdminApi(required(options, "from", "http"), adminToken(options));
  const to = required(options, "to", "any");
  const toPostgres = isPostgresUrl(to);
  const report = new Report(`export ${api.base} → ${toPostgres ? redact(to) : to}`, options.dryRun);
  const db = toPostgres && !options.dryRun ? await connectPostgres(to) : null;
  const target = db ? new ReferenceTarget(db) : null;
  await target?.open();
  const entries: (Manifest["stores"][number] | undefined)[] = [];
  if (!toPostgres && !options.dryRun) await mkdir(join(to, "stores"), { recursive: true });
  try {
    // Stores go to PostgreSQL one at a time (one connection, one transaction each); files in parallel.
    await eachConcurrently(storesOf(api, options.identities), target ? 1 : options.concurrency, async ({ identity, storeId, index }) => {
      try {
        if (options.dryRun) {
          const status: StoreStatus = await api.status(identity, storeId);
          return report.add(identity, storeId, { kind: "would", keys: status.keys, bytes: status.bytes });
        }
        const file = `stores/${String(index + 1).padStart(6, "0")}.vssx`;
        const end = await withRetries(() => (target ? toTable(api, target, identity, storeId) : toFile(api, identity, storeId, join(to, file))));
        entries[index] = { identity, storeId, file, keys: end.keys, valueBytes: end.valueBytes, sha256: end.sha256 };
        report.add(identity, storeId, { kind: "done", keys: end.keys, bytes: end.valueBytes });
        if (!options.quiet) process.stderr.write(`${identity} ${JSON.stringify(storeId)}: ${end.keys} keys\n`);
      } catch (error) {
        report.add(identity, storeId, { kind: "failed", reason: error instanceof Error ? error.message : String(error) });
      }
    });
    if (!toPostgres && !options.dryRun) {
      const manifest: Manifest = { format: "vss-deployment-export", formatVersion: 1, stores: entries.filter((e) => e !== undefined) };
      await writeFile(join(to, `${MANIFEST}.partial`), JSON.stringify(manifest, null, 1) + "\n");
      await rename(join(to, `${MANIFEST}.partial`), join(to, MANIFEST));
    }
  } finally {
    await db?.end();
  }
  return report;
}

async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= EXPORT_ATTEMPTS) throw error;
    }
  }
}

/** Copies the export stream verbatim into `file` (through a temporary name), checking it on the way. */
async function toFile(api: AdminApi, identity: string, storeId: string, file: string) {
  const out = createWriteStream(`${file}.partial`);
  let writeError: Error | null = null;
  out.on("error", (error) => (writeError = error));
  const stream = await api.export(identity, storeId);
  async function* copied(): AsyncIterable<Uint8Array> {
    for await (const chunk of stream) {
      if (writeError) throw writeError;
      if (!out.write(chunk)) await once(out, "drain");
      yield chunk;
    }
  }
  try {
    const { end } = await readExport(copied());
    out.end();
    await once(out, "close");
    await rename(`${file}.partial`, file);
    return end;
  } catch (error) {
    out.destroy();
    throw error;
  }
}

/** Streams one store into the reference table as it arrives (a bounded batch of rows in memory at a time). */
async function toTable(api: AdminApi, target: ReferenceTarget, identity: string, storeId: string) {
  const writer = await target.store(userTokenOf(identity), storeId);
  try {
    let globalVersion = 0n;
    const { end } = await readExport(await api.export(identity, storeId), {
      onHeader: (header) => void (globalVersion = BigInt(header.globalVersion)),
      onItem: (item) => writer.add(item),
    });
    await writer.finish(globalVersion);
    return end;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
