// A verifying client's watch (HISTORY.md §6: the Notification carries the digest "for the same purpose"): each
// notification's head is checked like an answer's, against the real Worker's WebSockets; a proxy that rewrites
// notifications in flight is caught whether it alters the proven revision's digest, a newer one's, or replays an
// older head.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { hexToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it, vi } from "vitest";
import { ForkError, RollbackError, watch, type VssClient, type WatchEvent } from "../../../src/index.js";
import { NotificationSchema, type Notification } from "../../../src/gen/multidevice_pb.js";
import { text } from "../support.js";
import { inProcessWebSocket, type FrameShape } from "../multidevice/support.js";
import { Wallet } from "./support.js";

const WAIT = { timeout: 15_000, interval: 20 };

/** A frame whose bytes a proxy rewrote: the watch reads them through arrayBuffer(), as it reads any Blob. */
class RewrittenFrame extends Blob {
  constructor(
    readonly original: unknown,
    readonly rewrite: (notification: Notification) => Notification,
  ) {
    super([]);
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const original = this.original;
    const bytes = original instanceof Blob ? new Uint8Array(await original.arrayBuffer()) : new Uint8Array(original as ArrayBuffer);
    return toBinary(NotificationSchema, this.rewrite(fromBinary(NotificationSchema, bytes))).slice().buffer;
  }
}

/** A proxy rewriting every notification from the `from`-th frame on. */
const proxy =
  (from: number, rewrite: (notification: Notification) => Notification): FrameShape =>
  (data, index) =>
    index < from ? data : new RewrittenFrame(data, rewrite);

/** The notification's digest with its first byte flipped. */
const otherDigest = (notification: Notification): Notification => {
  const digest = notification.digest.byteLength === 32 ? notification.digest.slice() : new Uint8Array(32);
  digest[0] = (digest[0] ?? 0) ^ 0xff;
  return { ...notification, digest };
};

/** Runs a watch from revision 0 in the background: what it yielded, and how it ended (its error, or undefined). */
function watching(client: VssClient, storeId: string, frames?: FrameShape) {
  const events: WatchEvent[] = [];
  const stop = new AbortController();
  const ws = inProcessWebSocket({ frames });
  const ended = (async () => {
    for await (const event of watch(client, { storeId, since: 0n, WebSocket: ws.WebSocket, signal: stop.signal, sleep: async () => undefined })) events.push(event);
  })().then(
    () => undefined,
    (error: unknown) => error,
  );
  const keys = () => events.flatMap((event) => (event.type === "changes" ? event.changes.map((change) => `${change.revision}:${change.key}`) : []));
  return { events, stop, ended, keys };
}

const put = (client: VssClient, storeId: string, key: string) => client.putObjects({ storeId, transactionItems: [{ key, version: -1n, value: text(key) }] });

describe("a verifying client's watch", () => {
  it("checks every notification's digest and delivers the changes of an honest server", async () => {
    const wallet = new Wallet();
    const device = wallet.verifying();
    const other = wallet.client();
    await put(device.client, "honest", "a");
    const watch = watching(device.client, "honest");
    await vi.waitFor(() => expect(watch.keys()).toEqual(["1:a"]), WAIT);
    await put(other, "honest", "b"); // another device's writes: notified revisions newer than the proven head
    await put(other, "honest", "c");
    await vi.waitFor(() => expect(watch.keys()).toEqual(["1:a", "2:b", "3:c"]), WAIT);
    expect((await device.checkpoint("honest"))?.revision).toBe(3n);
    watch.stop.abort();
    expect(await watch.ended).not.toBeInstanceOf(ForkError);
  });

  it("ends with ForkError when a notification names the proven revision with another digest", async () => {
    const device = new Wallet().verifying();
    await put(device.client, "forked", "a");
    const watch = watching(device.client, "forked", proxy(0, otherDigest));
    expect(await watch.ended).toBeInstanceOf(ForkError);
    expect(watch.events).toEqual([]);
    expect((await device.checkpoint("forked"))?.revision).toBe(1n);
  });

  it("ends with ForkError when a newer revision's notification does not recompute from the proven chain", async () => {
    const wallet = new Wallet();
    const device = wallet.verifying();
    await put(device.client, "forked-later", "a");
    const watch = watching(device.client, "forked-later", proxy(1, otherDigest));
    await vi.waitFor(() => expect(watch.keys()).toEqual(["1:a"]), WAIT);
    await put(wallet.client(), "forked-later", "b");
    expect(await watch.ended).toBeInstanceOf(ForkError);
    expect(watch.keys()).toEqual(["1:a"]); // revision 2 was never delivered on a forged notification's word
    expect((await device.checkpoint("forked-later"))?.revision).toBe(1n);
  });

  it("ends with RollbackError when a notification replays a head older than the one proven before connecting", async () => {
    const device = new Wallet().verifying();
    await put(device.client, "replayed", "a");
    const first = await device.checkpoint("replayed");
    await put(device.client, "replayed", "b");
    // A proxy answering the new connection with the head it saw before the second write.
    const watch = watching(device.client, "replayed", proxy(0, (n) => ({ ...n, revision: 1n, digest: hexToBytes(first?.digest ?? "") })));
    expect(await watch.ended).toBeInstanceOf(RollbackError);
    expect(watch.events).toEqual([]);
  });
});
