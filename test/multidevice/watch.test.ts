import { describe, expect, it } from "vitest";
import { ErrorCode, ErrorResponseSchema } from "../../src/gen/vss_pb";
import { fromBinary } from "@bufbuild/protobuf";
import { DeviceClient, Watcher } from "../support/multidevice";
import { SigsKey } from "../support/sigs";
import { send } from "../support/vss";

async function errorOf(response: Response) {
  expect(response.headers.get("vss-protocol-version")).toBe("0");
  return { status: response.status, error: fromBinary(ErrorResponseSchema, new Uint8Array(await response.arrayBuffer())) };
}

/** MULTIDEVICE.md §6: live notifications. */
describe("watch", () => {
  it("sends the current revision first, then one notification per commit with its revision and global version", async () => {
    const device = new DeviceClient("watch-basic");
    await device.put([["a", 0, "1"]], { globalVersion: 0 });
    const watcher = await device.watch();
    const first = await watcher.reach(1);
    expect(first).toMatchObject({ revision: 1n, globalVersion: 1n });
    expect(first.leaseEpoch).toBeUndefined();
    await device.put([["b", 0, "2"]]);
    expect(await watcher.reach(2)).toMatchObject({ revision: 2n, globalVersion: 1n });
    await device.delete("a", -1);
    expect(await watcher.reach(3)).toMatchObject({ revision: 3n });
    const revisions = watcher.revisions();
    expect(revisions).toEqual([...revisions].sort((x, y) => Number(x - y)));
    expect(new Set(revisions).size).toBe(revisions.length); // strictly increasing
    watcher.close();
  });

  it("sets lease_epoch when the write carried a live lease's token, and leaves it out otherwise", async () => {
    const device = new DeviceClient("watch-epoch");
    const watcher = await device.watch();
    await watcher.reach(0);
    const lease = await device.mustAcquire("phone");
    await device.withLease(lease.token).put([["k", 0, "v"]]);
    expect(await watcher.reach(1)).toMatchObject({ revision: 1n, leaseEpoch: 1n });
    await device.release(lease.token);
    await device.put([["k", 1, "w"]]);
    const last = await watcher.reach(2);
    expect(last.leaseEpoch).toBeUndefined();
    watcher.close();
  });

  it("never notifies a refused write, and a store's watchers hear only that store", async () => {
    const device = new DeviceClient("watch-scope");
    const neighbour = new DeviceClient("watch-scope-other", device.key);
    const stranger = new DeviceClient("watch-scope", new SigsKey());
    const watcher = await device.watch();
    await watcher.reach(0);
    await neighbour.put([["k", 0, "v"]]);
    await stranger.put([["k", 0, "v"]]);
    await device.put([["k", 3, "conflict"]]);
    await device.put([["k", 0, "mine"]]);
    await watcher.reach(1);
    expect(watcher.revisions()).toEqual([0n, 1n]);
    watcher.close();
  });

  it("ignores data messages from the watcher and answers its close frame", async () => {
    const device = new DeviceClient("watch-close");
    const watcher = await device.watch();
    await watcher.reach(0);
    watcher.socket.send("hello");
    watcher.socket.send(new Uint8Array([1, 2, 3]));
    await device.put([["k", 0, "v"]]);
    await watcher.reach(1);
    expect(watcher.others).toEqual([]);
    watcher.socket.close(4000, "bye");
    await watcher.until(() => watcher.closed !== null, "the close answer");
    expect(watcher.closed?.code).toBe(4000);
  });

  it("tickets stand in for the header: single use, bound to their identity and store", async () => {
    const device = new DeviceClient("watch-ticket");
    const issued = (await device.ticket()).message;
    expect(issued?.ticket).toBeTruthy();
    expect(Number(issued?.expiresAtMs)).toBeGreaterThan(Date.now() + 50_000);
    const watcher = await device.watch(issued?.ticket);
    await watcher.reach(0);
    watcher.close();
    // Used up.
    expect((await errorOf(await device.watchResponse({ ticket: issued?.ticket }))).status).toBe(401);
    // Bound to its store: another store_id with this ticket is refused, and so is a forged one.
    const second = (await device.ticket()).message?.ticket ?? "";
    const elsewhere = await errorOf(await device.watchResponse({ ticket: second, storeId: "watch-ticket-other" }));
    expect(elsewhere).toMatchObject({ status: 401, error: { errorCode: ErrorCode.AUTH_EXCEPTION } });
    const [id = "", store = ""] = second.split(".");
    for (const forged of [`${id}.${store}.${"0".repeat(32)}`, "garbage", `${id}.${store}`]) {
      expect((await errorOf(await device.watchResponse({ ticket: forged }))).status).toBe(401);
    }
  });

  it("refuses bad credentials with 401, a missing store_id or a plain GET with 400, all as ErrorResponses", async () => {
    const device = new DeviceClient("watch-errors");
    expect(await errorOf(await device.watchResponse({}, { authorization: null }))).toMatchObject({ status: 401, error: { errorCode: ErrorCode.AUTH_EXCEPTION } });
    expect(await errorOf(await device.watchResponse({}, { authorization: "garbage" }))).toMatchObject({ status: 401 });
    expect(await errorOf(await device.watchResponse({ storeId: null }))).toMatchObject({ status: 400, error: { errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION } });
    expect(await errorOf(await device.watchResponse({}, { upgrade: false }))).toMatchObject({ status: 400, error: { errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION } });
    expect(await errorOf(await device.watchResponse({ storeId: "s".repeat(121) }))).toMatchObject({ status: 400 });
  });

  it("refuses a store_id whose percent-encoding is not UTF-8 with 400, instead of reading it as U+FFFD", async () => {
    const device = new DeviceClient("\uFFFD");
    for (const encoded of ["%ED%A0%80", "%FF", "%E2%82", "%C0%80", "a%zz"]) {
      const response = await send(`/watch?store_id=${encoded}`, null, { method: "GET", authorization: device.key.header(), headers: { upgrade: "websocket" } });
      expect(await errorOf(response), encoded).toMatchObject({ status: 400, error: { errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION } });
    }
    const valid = await send(`/watch?store_id=%E2%82%AC+x`, null, { method: "GET", authorization: device.key.header(), headers: { upgrade: "websocket" } });
    expect(valid.status).toBe(101);
    valid.webSocket?.accept();
    valid.webSocket?.close();
  });

  it("checks a page's origin itself (WebSockets are outside CORS): 403 for an origin VSS_CORS_ORIGINS does not admit", async () => {
    const key = new SigsKey();
    const page = (origin: string | null, origins: string) =>
      new DeviceClient("watch-origin", key, { env: { VSS_CORS_ORIGINS: origins }, headers: origin === null ? {} : { origin } });
    for (const [origin, origins] of [
      ["https://elsewhere.example", "https://wallet.example"],
      ["https://elsewhere.example", "off"],
      ["null", "https://wallet.example"],
    ] as const) {
      const refused = await errorOf(await page(origin, origins).watchResponse({}));
      expect(refused, `${origin} under ${origins}`).toMatchObject({ status: 403, error: { errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION } });
    }
    // A listed origin, any origin under "*", the service's own origin, and a client that is no browser (no Origin).
    for (const [origin, origins] of [
      ["https://wallet.example", "https://wallet.example"],
      ["https://elsewhere.example", "*"],
      ["http://vss.test", "off"],
      [null, "off"],
    ] as const) {
      const watcher = await page(origin, origins).watch();
      await watcher.reach(0);
      watcher.socket.close();
    }
  });

  it("accepts at most 32 watchers per store: the 33rd gets 429 with Retry-After; another store is unaffected", async () => {
    const device = new DeviceClient("watch-limit");
    const watchers: Watcher[] = [];
    for (let i = 0; i < 32; i++) watchers.push(await device.watch());
    const refused = await device.watchResponse({});
    expect(refused.headers.get("retry-after")).toBeTruthy();
    expect(await errorOf(refused)).toMatchObject({ status: 429, error: { errorCode: ErrorCode.INTERNAL_SERVER_EXCEPTION } });
    const other = await new DeviceClient("watch-limit-other", device.key).watch();
    other.close();
    watchers.pop()?.close();
    await new Promise((r) => setTimeout(r, 200));
    const again = await device.watch();
    again.close();
    for (const w of watchers) w.close();
  });

  it("announces the extension without credentials at GET /vss/extensions", async () => {
    const response = await send("/extensions", null, { method: "GET", authorization: null });
    expect(response.status).toBe(200);
    expect(response.headers.get("vss-protocol-version")).toBe("0");
    expect(await response.json()).toEqual({ lease: 1, changes: 1, watch: 1, getObjects: 1, history: 1 });
  });
});
