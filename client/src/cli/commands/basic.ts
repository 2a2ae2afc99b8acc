import { listPages } from "../../client/list-all.js";
import type { VssClient } from "../../client/vss-client.js";
import { emitValue, keyArgument, note, printLine, valueToPut } from "../io.js";
import type { CliOptions } from "../options.js";

/** -1: write or delete whatever version is stored. */
const ANY_VERSION = -1n;

/** `get <key>`: the stored bytes, or with --json the key, version and base64 value. */
export async function get(client: VssClient, options: CliOptions): Promise<void> {
  const found = await client.getObject({ storeId: options.store, key: keyArgument(options) });
  if (options.json) printLine(JSON.stringify({ key: found.key, version: found.version.toString(), value: Buffer.from(found.value).toString("base64") }));
  else await emitValue(options, found.value);
}

/** `put <key> [value]`: one item, at --version (default -1). */
export async function put(client: VssClient, options: CliOptions): Promise<void> {
  const key = keyArgument(options);
  const value = await valueToPut(options);
  const version = options.version ?? ANY_VERSION;
  await client.putObjects({ storeId: options.store, transactionItems: [{ key, version, value }] });
  note(options, `put ${key} (${value.length} bytes)`);
}

/** `delete <key>`: at --version (default -1); a missing key is not an error. */
export async function remove(client: VssClient, options: CliOptions): Promise<void> {
  const key = keyArgument(options);
  await client.deleteObject({ storeId: options.store, keyValue: { key, version: options.version ?? ANY_VERSION } });
  note(options, `deleted ${key}`);
}

/** `list`: every page (or up to --limit keys), one `version<TAB>key` or JSON line per key, newest first. */
export async function list(client: VssClient, options: CliOptions): Promise<void> {
  let count = 0;
  pages: for await (const page of listPages(client, { storeId: options.store, prefix: options.prefix, pageSize: options.pageSize })) {
    for (const { key, version } of page.keyVersions) {
      if (options.limit !== undefined && count >= options.limit) break pages;
      printLine(options.json ? JSON.stringify({ key, version: version.toString() }) : `${version}\t${key}`);
      count++;
    }
  }
  note(options, `${count} keys`);
}
