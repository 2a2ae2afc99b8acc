// watch() and syncStore() against the real Worker: real WebSockets from the store Durable Object, tickets, the
// change feed; connections dropped and held back by the test to exercise reconnection and catch-up.
import { describe, expect, it, vi } from "vitest";
import { InvalidRequestError, syncStore, watch, type SyncUpdate, type VssClient, type WatchEvent, type WatchOptions, type WatchStatus } from "../../../src/index.js";
import { WatchConnection } from "../../../src/multidevice/connection.js";
import { newClient, text, untext } from "../support.js";
import { inProcessWebSocket } from "./support.js";

const WAIT = { timeout: 15_000, interval: 20 };

/** Runs a watch in the background and keeps what it yields and reports. */
function collect(client: VssClient, options: WatchOptions) {
  const events: WatchEvent[] = [];
  const statuses: WatchStatus[] = [];
  const sleeps: number[] = [];
  const stop = new AbortController();
  const ended = (async () => {
    const iterator = watch(client, {
      ...options,
      signal: stop.signal,
      onStatus: (status) => statuses.push(status),
      sleep: async (ms) => void sleeps.push(ms),
    });
    for await (const event of iterator) events.push(event);
  })().catch((error: unknown) => error);
  const changes = () => events.flatMap((event) => (event.type === "changes" ? event.changes.map((c) => `${c.revision}:${c.key}:${c.deleted ? "deleted" : c.version}`) : [`reset:${event.revision}`]));
  const opens = () => statuses.filter((s) => s.state === "open").length;
  return { events, statuses, sleeps, stop, ended, changes, opens };
}

const put = (client: VssClient, storeId: string, key: string, version = -1n) => client.putObjects({ storeId, transactionItems: [{ key, version, value: text(key) }] });
const remove = (client: VssClient, storeId: string, key: string) => client.deleteObject({ storeId, keyValue: { key, version: -1n } });

describe("watch", () => {
  it("delivers every change after `since` in revision order, then each change as it commits, through a ticket", async () => {
    const client = newClient();
    const storeId = "watched";
    await put(client, storeId, "a");
    await put(client, storeId, "b");
    const ws = inProcessWebSocket();
    const watching = collect(client, { storeId, since: 0n, WebSocket: ws.WebSocket });
    await vi.waitFor(() => expect(watching.changes()).toEqual(["1:a:1", "2:b:1"]), WAIT);
    await put(client, storeId, "c");
    await vi.waitFor(() => expect(watching.changes()).toHaveLength(3), WAIT);
    await remove(client, storeId, "a");
    await put(client, storeId, "b");
    await vi.waitFor(() => expect(watching.changes()).toEqual(["1:a:1", "2:b:1", "3:c:1", "4:a:deleted", "5:b:1"]), WAIT);
    const url = new URL(ws.sockets[0]!.url);
    expect([url.protocol, url.pathname, url.searchParams.get("store_id")]).toEqual(["ws:", "/vss/watch", storeId]);
    expect(url.searchParams.get("ticket")).toMatch(/./);
    watching.stop.abort();
    expect(await watching.ended).toBeInstanceOf(Error);
  });

  it("starts from the store's current revision when no `since` is given", async () => {
    const client = newClient();
    await put(client, "now", "old");
    const watching = collect(client, { storeId: "now", WebSocket: inProcessWebSocket().WebSocket });
    await vi.waitFor(() => expect(watching.statuses).toContainEqual({ state: "open", revision: 1n }), WAIT);
    await put(client, "now", "new");
    await vi.waitFor(() => expect(watching.changes()).toEqual(["2:new:1"]), WAIT);
    watching.stop.abort();
  });

  it("reconnects after a dropped connection and catches up on what happened meanwhile, once each", async () => {
    const client = newClient();
    const storeId = "dropped";
    let hold: Promise<void> = Promise.resolve();
    let letThrough: () => void = () => undefined;
    const ws = inProcessWebSocket({ gate: () => hold });
    const watching = collect(client, { storeId, since: 0n, WebSocket: ws.WebSocket });
    await vi.waitFor(() => expect(watching.opens()).toBe(1), WAIT);
    await put(client, storeId, "k1");
    await vi.waitFor(() => expect(watching.changes()).toEqual(["1:k1:1"]), WAIT);

    hold = new Promise((resolve) => (letThrough = resolve));
    ws.sockets[0]!.drop();
    await vi.waitFor(() => expect(ws.sockets).toHaveLength(2), WAIT); // the next attempt waits at the gate
    await put(client, storeId, "k2");
    await put(client, storeId, "k3");
    await remove(client, storeId, "k1");
    await put(client, storeId, "k2"); // a key changed twice appears once, at its last change (a -1 put stores version 1)
    letThrough();
    await vi.waitFor(() => expect(watching.changes()).toEqual(["1:k1:1", "3:k3:1", "4:k1:deleted", "5:k2:1"]), WAIT);
    expect(watching.opens()).toBe(2);
    expect(watching.sleeps).toHaveLength(1);
    expect(watching.sleeps[0]).toBeGreaterThanOrEqual(500);
    expect(watching.sleeps[0]).toBeLessThanOrEqual(600);

    await put(client, storeId, "k4");
    await vi.waitFor(() => expect(watching.changes().at(-1)).toBe("6:k4:1"), WAIT);
    watching.stop.abort();
  });

  it("backs off exponentially while connections fail, and starts over once one opens", async () => {
    const client = newClient();
    let failures = 3;
    const ws = inProcessWebSocket({ gate: async () => void (failures-- > 0 && (await Promise.reject(new Error("refused (test)")))) });
    const watching = collect(client, { storeId: "flaky", WebSocket: ws.WebSocket, minDelayMs: 100, maxDelayMs: 300 });
    await vi.waitFor(() => expect(watching.opens()).toBe(1), WAIT);
    expect(watching.sleeps.map((ms) => Math.floor(ms / 100) * 100)).toEqual([100, 200, 300]);
    ws.sockets.at(-1)!.drop();
    await vi.waitFor(() => expect(watching.opens()).toBe(2), WAIT);
    expect(Math.floor(watching.sleeps[3]! / 100) * 100).toBe(100);
    watching.stop.abort();
  });

  it("reports a reset when `since` is ahead of the store (an erased store), then continues from its revision", async () => {
    const client = newClient();
    await put(client, "ahead", "x");
    const watching = collect(client, { storeId: "ahead", since: 40n, WebSocket: inProcessWebSocket().WebSocket });
    await vi.waitFor(() => expect(watching.changes()).toEqual(["reset:1"]), WAIT);
    await put(client, "ahead", "y");
    await vi.waitFor(() => expect(watching.changes()).toEqual(["reset:1", "2:y:1"]), WAIT);
    watching.stop.abort();
  });

  it("ends with the error when the request itself is bad (no reconnection can fix it)", async () => {
    const watching = collect(newClient(), { storeId: "s".repeat(121), WebSocket: inProcessWebSocket().WebSocket });
    expect(await watching.ended).toBeInstanceOf(InvalidRequestError);
    expect(watching.sleeps).toEqual([]);
  });

  it("stops at once when its consumer breaks out of the loop, closing the socket", async () => {
    const client = newClient();
    await put(client, "brk", "one");
    const ws = inProcessWebSocket();
    for await (const event of watch(client, { storeId: "brk", since: 0n, WebSocket: ws.WebSocket })) {
      expect(event.type).toBe("changes");
      break;
    }
    expect(ws.sockets[0]!.open).toBe(false);
  });
});

describe("WatchConnection", () => {
  it("decodes frames in arrival order whether they come as Blobs or ArrayBuffers", async () => {
    const client = newClient();
    await put(client, "frames", "a");
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    /** The first frame is a Blob whose bytes come late; the later ones are ArrayBuffers or plain Blobs. */
    class SlowBlob extends Blob {
      override async arrayBuffer(): Promise<ArrayBuffer> {
        await slow;
        return super.arrayBuffer();
      }
    }
    const ws = inProcessWebSocket({ frames: (data, index) => (index === 0 ? new SlowBlob([data]) : index % 2 ? data : new Blob([data])) });
    const { ticket } = await client.watchTicket({ storeId: "frames" });
    const connection = new WatchConnection(ws.WebSocket, `ws://vss.test/vss/watch?store_id=frames&ticket=${encodeURIComponent(ticket)}`);
    await vi.waitFor(() => expect(ws.sockets[0]?.open).toBe(true), WAIT);
    await put(client, "frames", "b"); // revision 2 arrives while revision 1's bytes are still pending
    await put(client, "frames", "c");
    release();
    expect(await connection.next()).toMatchObject({ revision: 1n, first: true });
    await vi.waitFor(async () => expect(await connection.next()).toMatchObject({ revision: 3n, first: false, digest: expect.any(Uint8Array) }), WAIT);
    connection.close();
    expect(await connection.next()).toBeNull();
  });
});

describe("syncStore", () => {
  it("turns the feed into values and deletions, and relists the whole store after a reset", async () => {
    const client = newClient();
    const storeId = "synced";
    await put(client, storeId, "a");
    await put(client, storeId, "b");
    await remove(client, storeId, "b");
    const updates: SyncUpdate[] = [];
    const stop = new AbortController();
    const ws = inProcessWebSocket();
    const ended = (async () => {
      for await (const update of syncStore(client, { storeId, WebSocket: ws.WebSocket, signal: stop.signal })) updates.push(update);
    })().catch((error: unknown) => error);
    await vi.waitFor(() => expect(updates).toHaveLength(1), WAIT);
    expect(updates[0]).toMatchObject({ full: false, deleted: ["b"], revision: 3n });
    expect(updates[0]!.values.map((kv) => [kv.key, untext(kv.value)])).toEqual([["a", "a"]]);

    await client.putObjects({ storeId, transactionItems: [{ key: "c", version: 0n, value: text("C") }, { key: "a", version: 1n, value: text("A2") }] });
    await vi.waitFor(() => expect(updates).toHaveLength(2), WAIT);
    expect(updates[1]!.values.map((kv) => [kv.key, kv.version, untext(kv.value)]).sort()).toEqual([["a", 2n, "A2"], ["c", 1n, "C"]]);
    expect(updates[1]!.deleted).toEqual([]);
    stop.abort();
    await ended;

    const fromTheFuture: SyncUpdate[] = [];
    for await (const update of syncStore(client, { storeId, since: 99n, WebSocket: inProcessWebSocket().WebSocket })) {
      fromTheFuture.push(update);
      break;
    }
    expect(fromTheFuture[0]).toMatchObject({ full: true, revision: 4n, deleted: [] });
    expect(fromTheFuture[0]!.values.map((kv) => kv.key).sort()).toEqual(["a", "c"]);
  });
});
