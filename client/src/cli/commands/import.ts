import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { VssClient } from "../../client/vss-client.js";
import { ExportFormatError, parseHeader, parseItem, parseTrailer, type ExportHeader } from "../export-format.js";
import { UsageError, type CliOptions } from "../options.js";
import { Progress } from "../progress.js";

/** Items per putObjects request (the server allows 1000). */
const DEFAULT_BATCH = 100;
/** Bytes of values per request before a batch is sent early (our server accepts 40 MiB bodies). */
const BATCH_BYTES = 8 * 1_048_576;
/** -1 overwrites whatever is there; 0 creates only and fails with a conflict when the key exists. */
const UPSERT = -1n;
const CREATE_ONLY = 0n;

type Item = ReturnType<typeof parseItem>;

/** Reads an export file, checking header, every item and the trailer; returns the header and the item count. */
async function readExport(file: string, onItem: (item: Item) => Promise<void>): Promise<{ header: ExportHeader; items: number }> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header: ExportHeader | undefined;
  let trailer: { keys: number } | undefined;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!header) header = parseHeader(line);
    else if (trailer) throw new ExportFormatError(`line ${lineNumber} follows the trailer`);
    else if (!(trailer = parseTrailer(line))) await onItem(parseItem(line, lineNumber));
  }
  if (!header) throw new ExportFormatError("empty file: not a vss export file");
  if (!trailer) throw new ExportFormatError("the file ends without its trailer: it is truncated");
  const items = lineNumber - 2;
  if (trailer.keys !== items) throw new ExportFormatError(`the trailer counts ${trailer.keys} items, the file has ${items}`);
  return { header, items };
}

/**
 * Writes every item of an export file into the store, in file order, in batches of transactional putObjects.
 * The whole file is checked before anything is written. Values are written byte-exact; versions restart at 1.
 */
export async function importStore(client: VssClient, options: CliOptions): Promise<void> {
  const [file] = options.args;
  if (!file) throw new UsageError("import needs a file name");
  const { items } = await readExport(file, async () => undefined);
  const version = options.createOnly ? CREATE_ONLY : UPSERT;
  const maxItems = options.batch ?? DEFAULT_BATCH;
  const progress = new Progress("imported", items, process.stderr, options.quiet);
  let batch: { key: string; version: bigint; value: Uint8Array }[] = [];
  let batchBytes = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    await client.putObjects({ storeId: options.store, transactionItems: batch });
    progress.advance(batch.length, batchBytes);
    batch = [];
    batchBytes = 0;
  };

  await readExport(file, async (item) => {
    if (batch.length >= maxItems || (batch.length > 0 && batchBytes + item.value.length > BATCH_BYTES)) await flush();
    batch.push({ key: item.key, version, value: item.value });
    batchBytes += item.value.length;
  });
  await flush();
  progress.finish();
}
