import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { listAllKeyVersions } from "../../client/list-all.js";
import type { VssClient } from "../../client/vss-client.js";
import { NoSuchKeyError } from "../../errors.js";
import { FORMAT, FORMAT_VERSION, itemLine, type ExportHeader, type ExportTrailer } from "../export-format.js";
import { UsageError, type CliOptions } from "../options.js";
import { Progress } from "../progress.js";

/** Values fetched in parallel while the file is written in order. */
const DEFAULT_CONCURRENCY = 4;

/**
 * Writes the whole store (or a prefix) to a JSON Lines file: a header line, one line per key (oldest-created first,
 * so that an import recreates the same listing order) and a trailer with the count. Values are the stored bytes.
 */
export async function exportStore(client: VssClient, options: CliOptions): Promise<void> {
  const [file] = options.args;
  if (!file) throw new UsageError("export needs a file name");
  const storeId = options.store;
  const listing = await listAllKeyVersions(client, { storeId, prefix: options.prefix, pageSize: options.pageSize });
  const keys = listing.keys.map((kv) => kv.key).reverse();
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(line + "\n")) await once(out, "drain");
  };
  const header: ExportHeader = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    storeId,
    globalVersion: listing.globalVersion?.toString(),
    keys: keys.length,
    exportedAt: new Date().toISOString(),
  };
  const progress = new Progress("exported", keys.length, process.stderr, options.quiet);
  let vanished = 0;
  try {
    await write(JSON.stringify(header));
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    const fetchOne = (key: string) => client.getObject({ storeId, key }).catch((error: unknown) => {
      if (error instanceof NoSuchKeyError) return undefined;
      throw error;
    });
    const window: ReturnType<typeof fetchOne>[] = [];
    const enqueue = (key: string | undefined) => {
      if (key === undefined) return;
      const pending = fetchOne(key);
      pending.catch(() => undefined); // awaited in order below; this only keeps a later failure from going unhandled
      window.push(pending);
    };
    keys.slice(0, concurrency).forEach(enqueue);
    for (let i = 0; i < keys.length; i++) {
      const found = await window.shift();
      enqueue(keys[i + concurrency]);
      if (!found) {
        vanished++;
        continue;
      }
      await write(itemLine(found.key, found.version, found.value));
      progress.advance(1, found.value.length);
    }
    const trailer: ExportTrailer = { end: true, keys: keys.length - vanished };
    await write(JSON.stringify(trailer));
  } finally {
    out.end();
    await once(out, "close");
  }
  progress.finish();
  if (vanished > 0) process.stderr.write(`${vanished} keys were deleted during the export and are not in the file\n`);
}
