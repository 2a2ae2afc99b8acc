import type { VssClient } from "../../client/vss-client.js";
import type { Revision } from "../../gen/history_pb.js";
import { toHex } from "../../history/digest.js";
import { historyRecords } from "../../history/pages.js";
import { historyFetcher } from "../../history/verify-history.js";
import { emitValue, keyArgument, note, printLine } from "../io.js";
import { UsageError, type CliOptions } from "../options.js";

/** One revision as `revision<TAB>time<TAB>changes`, or a JSON object with --json. */
function printRevision(options: CliOptions, record: Revision): void {
  const time = new Date(Number(record.committedAtMs)).toISOString();
  if (options.json) {
    const changes = record.changes.map((c) => (c.deleted ? { key: c.key, deleted: true } : { key: c.key, version: c.version.toString(), valueSha256: toHex(c.valueSha256) }));
    printLine(JSON.stringify({ revision: record.revision.toString(), committedAt: time, globalVersion: record.globalVersion.toString(), digest: toHex(record.digest), changesPruned: record.changesPruned, changes }));
    return;
  }
  const changes = record.changesPruned ? "(changes pruned)" : record.changes.map((c) => (c.deleted ? `${c.key} deleted` : `${c.key}@${c.version}`)).join(", ") || "(global version only)";
  printLine(`${record.revision}\t${time}\t${changes}`);
}

/** `history [--since R] [--limit N]`: the revisions after R (default 0), oldest first; the head on stderr. */
export async function history(client: VssClient, options: CliOptions): Promise<void> {
  let head = { revision: 0n, digest: "" };
  const onPage = (page: { headRevision: bigint; headDigest: Uint8Array }) => {
    head = { revision: page.headRevision, digest: toHex(page.headDigest) };
  };
  let count = 0;
  for await (const record of historyRecords(historyFetcher(client, options.store), options.since ?? 0n, { onPage })) {
    if (options.limit !== undefined && count >= options.limit) break;
    printRevision(options, record);
    count++;
  }
  note(options, `${count} revisions; head: revision ${head.revision}${head.digest ? ` digest ${head.digest}` : ""}`);
}

/** `show --at R <key>`: the key's value just after revision R (raw bytes, --out, or --json). */
export async function show(client: VssClient, options: CliOptions): Promise<void> {
  const key = keyArgument(options);
  if (options.at === undefined) throw new UsageError("show needs --at <revision>");
  const found = await client.getVersion({ storeId: options.store, key, revision: options.at });
  const value = found.value?.value ?? new Uint8Array(0);
  const version = found.value?.version ?? 0n;
  if (options.json) {
    printLine(JSON.stringify({ key, version: version.toString(), revision: found.revision.toString(), value: Buffer.from(value).toString("base64") }));
  } else {
    await emitValue(options, value);
  }
  note(options, `${key} just after revision ${options.at}: version ${version}, written at revision ${found.revision} (${value.length} bytes)`);
}
