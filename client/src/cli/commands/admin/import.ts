import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AdminApi } from "./api.js";
import { exportEvents, readExport, type StoreItem } from "./frames.js";
import { MANIFEST, type Manifest } from "./export.js";
import { adminToken, required, type AdminOptions } from "./options.js";
import { eachConcurrently } from "./pool.js";
import { Report } from "./report.js";
import { uploadStore } from "./upload.js";

/** The items of an export file from item `from` on, read as a stream (one value in memory at a time). */
async function* fileItems(file: string, from: number): AsyncIterable<StoreItem> {
  let index = 0;
  for await (const event of exportEvents(createReadStream(file))) {
    if ("item" in event && index++ >= from) yield event.item;
  }
}

/**
 * `vss admin import --from DIR --to https://host`: every store of an export directory (or those of --identity),
 * each file checked whole (framing, counts, SHA-256) before its import starts. Resumable and idempotent: the
 * source of a store is its file's SHA-256.
 */
export async function importDeployment(options: AdminOptions): Promise<Report> {
  const dir = required(options, "from", "any");
  const api = new AdminApi(required(options, "to", "http"), adminToken(options));
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as Manifest;
  if (manifest.format !== "vss-deployment-export" || manifest.formatVersion !== 1) throw new Error(`${join(dir, MANIFEST)} is not a vss deployment export`);
  const report = new Report(`import ${dir} → ${api.base}`, options.dryRun);
  const wanted = new Set(options.identities);
  async function* entries() {
    for (const entry of manifest.stores) if (wanted.size === 0 || wanted.has(entry.identity)) yield entry;
  }
  await eachConcurrently(entries(), options.concurrency, async (entry) => {
    const file = join(dir, entry.file);
    try {
      const { header, end } = await readExport(createReadStream(file));
      if (end.sha256 !== entry.sha256 || header.identity !== entry.identity || header.storeId !== entry.storeId) throw new Error(`${file} does not match the manifest`);
      const outcome = await uploadStore(
        api,
        {
          identity: entry.identity,
          storeId: entry.storeId,
          source: `export:${end.sha256.slice(0, 40)}`,
          keys: end.keys,
          bytes: end.valueBytes,
          globalVersion: Number(header.globalVersion),
          chain: header.incarnation && header.headRevision && header.headDigest ? { incarnation: header.incarnation, headRevision: header.headRevision, headDigest: header.headDigest } : undefined,
          items: (from) => fileItems(file, from),
        },
        options,
      );
      report.add(entry.identity, entry.storeId, outcome);
      if (!options.quiet) process.stderr.write(`${entry.identity} ${JSON.stringify(entry.storeId)}: ${outcome.kind}\n`);
    } catch (error) {
      report.add(entry.identity, entry.storeId, { kind: "failed", reason: error instanceof Error ? error.message : String(error) });
    }
  });
  return report;
}
