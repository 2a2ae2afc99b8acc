import { syncStore, watch, type WatchStatus } from "@edge-vss/client";
import type { Session } from "./steps.js";

// MULTIDEVICE.md §6 from a page, through the client's own watch(): a ticket from POST {base}/watchTicket (through
// CORS, like any call), then the browser's native WebSocket to {base}/watch with the ticket in the query (a page
// cannot set headers on a WebSocket); each notification is caught up through listChanges.

const WAIT_MS = 15_000;

/** Resolves with `promise`, or rejects after WAIT_MS naming what did not happen. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${WAIT_MS / 1000} s`)), WAIT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A watch through the client: it opens at the store's revision, then yields the change a put makes meanwhile. */
export async function watchThroughTicket(session: Session): Promise<string> {
  const stop = new AbortController();
  let opened: (revision: bigint) => void = () => {};
  const open = new Promise<bigint>((resolve) => (opened = resolve));
  const onStatus = (status: WatchStatus) => {
    if (status.state === "open") opened(status.revision);
  };
  const events = watch(session.client, { storeId: session.storeId, signal: stop.signal, onStatus });
  try {
    const first = events.next();
    const current = await within(open, "the watch did not open");
    await session.client.putObjects({
      storeId: session.storeId,
      transactionItems: [{ key: "watched", version: -1n, value: new TextEncoder().encode("tick") }],
    });
    const { value: event } = await within(first, "no change after a put");
    if (event?.type !== "changes") throw new Error(`expected changes, got ${JSON.stringify(event?.type)}`);
    const [change] = event.changes;
    if (event.changes.length !== 1 || change?.key !== "watched" || change.revision !== current + 1n) {
      throw new Error(`after revision ${current}, changes ${JSON.stringify(event.changes.map((c) => [c.key, String(c.revision)]))}`);
    }
    return `ticket accepted at revision ${current}; the put arrived as revision ${change.revision}, key ${change.key}`;
  } finally {
    stop.abort();
    await events.return(undefined).catch(() => undefined);
  }
}

/** syncStore from 0: the whole store's values first, then a deletion made meanwhile, with the values resolved. */
export async function syncFromPage(session: Session): Promise<string> {
  const stop = new AbortController();
  const updates = syncStore(session.client, { storeId: session.storeId, signal: stop.signal });
  try {
    const { value: initial } = await within(updates.next(), "no first sync");
    const keys = (initial?.values ?? []).map((kv) => kv.key);
    if (!keys.includes("watched")) throw new Error(`the first sync lacks "watched": ${JSON.stringify(keys)}`);
    await session.client.deleteObject({ storeId: session.storeId, keyValue: { key: "watched", version: -1n } });
    const { value: next } = await within(updates.next(), "no update after a delete");
    if (!next || next.values.length !== 0 || next.deleted.join() !== "watched") {
      throw new Error(`after the delete: values ${next?.values.length}, deleted ${JSON.stringify(next?.deleted)}`);
    }
    return `first sync: ${keys.length} keys with values; then "watched" deleted at revision ${next.revision}`;
  } finally {
    stop.abort();
    await updates.return(undefined).catch(() => undefined);
  }
}
