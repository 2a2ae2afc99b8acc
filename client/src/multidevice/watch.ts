import type { VssClient } from "../client/vss-client.js";
import { VssError } from "../errors.js";
import type { Change } from "../gen/multidevice_pb.js";
import { isPermanent } from "../retry/policy.js";
import { abortableSleep } from "../retry/run.js";
import { toHex } from "../history/digest.js";
import { changesSince } from "./changes-since.js";
import { WatchConnection, type NotifiedRevision, type WebSocketConstructor } from "./connection.js";

/** What a watch yields: changed keys in revision order, or a reset (the consumer must list the whole store). */
export type WatchEvent =
  | { type: "changes"; changes: Change[]; revision: bigint; globalVersion: bigint }
  | { type: "reset"; revision: bigint; globalVersion: bigint };

/** The connection's state, for a status line or a test. */
export type WatchStatus =
  | { state: "connecting"; attempt: number }
  | { state: "open"; revision: bigint }
  | { state: "disconnected"; retryInMs: number; error?: unknown };

/** Options of {@link watch}. */
export interface WatchOptions {
  storeId: string;
  /** Deliver every change after this revision; default: from the store's revision when the watch first connects. */
  since?: bigint;
  /** Default globalThis.WebSocket; in Node 20, `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor;
  signal?: AbortSignal;
  /** listChanges page size (server cap 1000). */
  pageSize?: number;
  /** Reconnection backoff: the first delay (default 500 ms), doubled per failed attempt up to maxDelayMs (30 s), plus up to 20 % jitter. */
  minDelayMs?: number;
  maxDelayMs?: number;
  onStatus?: (status: WatchStatus) => void;
  /** How to wait between attempts (tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** `{base}/watch?store_id=…&ticket=…` with the scheme turned into ws(s); a relative base resolves against the page. */
export function watchUrl(baseUrl: string, storeId: string, ticket: string): string {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const url = new URL(`${baseUrl}/watch`, page);
  if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol === "http:") url.protocol = "ws:";
  url.search = new URLSearchParams({ store_id: storeId, ticket }).toString();
  return url.toString();
}

/** An error no reconnection can fix: a bad request, a protocol mismatch, credentials refused after the client's own retries. */
function fatal(error: unknown): boolean {
  return !(error instanceof VssError) || isPermanent(error) || error.kind === "auth";
}

/**
 * With a verifying client, a notification's head is checked as an answer's is (HISTORY.md §6: the digest is there
 * for it): the same revision as the proven one with another digest is a fork; one older than what was proven when
 * the connection's ticket was asked is a rollback (the server notifies only after commits, from the head it had
 * when the socket was accepted); an older one than proven since must lie on the proven chain; a newer one is proven
 * before the checkpoint is raised. A refusal ends the watch with its error. A notification without a digest (a
 * server without history) is left to the answers, which the verifier refuses anyway.
 */
async function verifyNotified(client: VssClient, storeId: string, notified: NotifiedRevision, sentAt: bigint | undefined): Promise<void> {
  const verifier = client.verifier;
  if (!verifier || (notified.digest.byteLength === 0 && notified.revision > 0n)) return;
  const digest = notified.digest.byteLength === 0 ? new Uint8Array(32) : notified.digest;
  await verifier.observe({ storeId, head: { revision: notified.revision, digest: toHex(digest) }, sentAt });
}

/**
 * Watches a store: every change after `since`, in revision order, none missed. Each connection takes a ticket
 * (so it works in browsers) and opens a WebSocket; each notification newer than what was delivered is caught up
 * through listChanges, which also covers whatever happened while disconnected. A lost connection is reopened
 * with backoff; a bad request, refused credentials or (verifying client) a refused head end the iteration with
 * the error. Break out of the loop, or abort `signal`, to stop.
 */
export async function* watch(client: VssClient, options: WatchOptions): AsyncGenerator<WatchEvent, void, undefined> {
  const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocket) throw new TypeError("no WebSocket in this runtime: pass options.WebSocket (in Node 20, WebSocket from the ws package)");
  const { storeId, signal } = options;
  const sleep = options.sleep ?? abortableSleep;
  let since = options.since;
  let failures = 0;
  for (let attempt = 1; ; attempt++) {
    let connection: WatchConnection | undefined;
    let failure: unknown;
    try {
      options.onStatus?.({ state: "connecting", attempt });
      const provenAtTicket = await client.verifier?.sentAt(storeId);
      const { ticket } = await client.watchTicket({ storeId }, { signal });
      connection = new WatchConnection(WebSocket, watchUrl(client.baseUrl, storeId, ticket));
      for (let notified = await connection.next(signal); notified; notified = await connection.next(signal)) {
        await verifyNotified(client, storeId, notified, provenAtTicket);
        if (notified.first) {
          failures = 0;
          options.onStatus?.({ state: "open", revision: notified.revision });
          since ??= notified.revision;
          // On connecting, anything but our revision (newer, or older after an erase) needs the feed's answer.
          if (notified.revision === since) continue;
        } else if (since === undefined || notified.revision <= since) {
          continue;
        }
        for await (const page of changesSince(client, storeId, since, { signal, pageSize: options.pageSize })) {
          since = page.revision;
          if (page.reset) yield { type: "reset", revision: page.revision, globalVersion: page.globalVersion };
          else if (page.changes.length > 0) yield { type: "changes", changes: page.changes, revision: page.revision, globalVersion: page.globalVersion };
        }
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (fatal(error)) throw error;
      failure = error;
    } finally {
      connection?.close();
    }
    failures++;
    const base = Math.min(options.maxDelayMs ?? 30_000, (options.minDelayMs ?? 500) * 2 ** (failures - 1));
    const retryInMs = Math.round(base * (1 + Math.random() * 0.2));
    options.onStatus?.({ state: "disconnected", retryInMs, error: failure });
    await sleep(retryInMs, signal);
  }
}
