import { WebSocket as WsWebSocket } from "ws";
import type { VssClient } from "../../client/vss-client.js";
import type { Change } from "../../gen/multidevice_pb.js";
import { changesSince } from "../../multidevice/changes-since.js";
import { watch, type WatchStatus } from "../../multidevice/watch.js";
import { note, printLine } from "../io.js";
import type { CliOptions } from "../options.js";

/** Node 20 has no global WebSocket: the `ws` package's, with the one-argument constructor a watch calls. */
class WebSocket extends WsWebSocket {
  constructor(url: string) {
    super(url);
  }
}

/** One change: `revision<TAB>key<TAB>version` or `…<TAB>deleted`, or a JSON object with --json. */
function printChange(options: CliOptions, change: Change): void {
  if (options.json) {
    const what = change.deleted ? { deleted: true } : { version: change.version.toString() };
    printLine(JSON.stringify({ revision: change.revision.toString(), key: change.key, ...what }));
  } else {
    printLine(`${change.revision}\t${change.key}\t${change.deleted ? "deleted" : change.version}`);
  }
}

/** A reset: the server cannot answer from the revision asked for; the store must be listed again. */
function printReset(options: CliOptions, revision: bigint): void {
  printLine(options.json ? JSON.stringify({ reset: true, revision: revision.toString() }) : `reset\t${revision}`);
  note(options, `reset: list the whole store (vss list), then continue with --since ${revision}`);
}

/** `changes [--since N]`: every change after N (default 0), oldest first; the revision to continue from on stderr. */
export async function changes(client: VssClient, options: CliOptions): Promise<void> {
  let revision = options.since ?? 0n;
  for await (const page of changesSince(client, options.store, revision, { pageSize: options.pageSize })) {
    revision = page.revision;
    if (page.reset) printReset(options, page.revision);
    for (const change of page.changes) printChange(options, change);
  }
  note(options, `revision ${revision} (continue with --since ${revision})`);
}

function describe(status: WatchStatus): string | undefined {
  if (status.state === "open") return `watching at revision ${status.revision}`;
  if (status.state === "disconnected") {
    const why = status.error instanceof Error ? `: ${status.error.message}` : "";
    return `disconnected${why}; reconnecting in ${(status.retryInMs / 1000).toFixed(1)} s`;
  }
  return undefined;
}

/** `watch [--since N]`: each change as it commits, until Ctrl-C; reconnects and catches up by itself. */
export async function watchCommand(client: VssClient, options: CliOptions): Promise<void> {
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  process.once("SIGTERM", () => stop.abort());
  const onStatus = (status: WatchStatus) => {
    const line = describe(status);
    if (line) note(options, line);
  };
  try {
    for await (const event of watch(client, { storeId: options.store, since: options.since, WebSocket, signal: stop.signal, onStatus, pageSize: options.pageSize })) {
      if (event.type === "reset") printReset(options, event.revision);
      else for (const change of event.changes) printChange(options, change);
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  }
}
