import { env, listDurableObjectIds } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { DeviceClient } from "../support/multidevice";
import { watchedObjects } from "../support/object-calls";
import { expectError, send } from "../support/vss";

/** How many store objects exist (with storage) in this file's isolated state. */
const storeObjects = async () => (await listDurableObjectIds(env.VSS_STORE)).length;

/**
 * Issue 19, finding 4: a read of a store that does not exist — and a write that changes nothing or is refused —
 * creates no Durable Object (locally, each one is a SQLite file) and answers what an empty store answers.
 * test/local-server/absent-stores.test.ts counts the files of a running server's state directory too.
 */
describe("a store that does not exist", () => {
  it("answers every read as an empty store, without reaching or creating its object", async () => {
    const objects = watchedObjects();
    const device = new DeviceClient("never-written", undefined, { env: objects.env });
    const created = await storeObjects();
    expectError(await device.get("k"), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
    expect((await device.get("global_version")).message?.value).toMatchObject({ key: "global_version", version: 0n });
    expect((await device.list()).message).toMatchObject({ keyVersions: [], globalVersion: 0n });
    expect((await device.list({ prefix: "p", pageSize: 3 })).message?.keyVersions).toEqual([]);
    expect((await device.getLease()).message?.lease).toBeUndefined();
    expect((await device.changes(0)).message).toMatchObject({ changes: [], revision: 0n, reset: false, hasMore: false });
    expect((await device.changes(5)).message).toMatchObject({ changes: [], revision: 0n, reset: true });
    expect((await device.getObjects(["a", "global_version"])).message).toMatchObject({ values: [{ key: "global_version", version: 0n }], missingKeys: ["a"] });
    expect((await device.ticket()).status).toBe(200);
    expect((await device.delete("k", -1)).status).toBe(200);
    expect((await device.put([])).status).toBe(200);
    expectError(await device.renew("0".repeat(32)), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await device.release("0".repeat(32))).status).toBe(200);
    expect(objects.reached().VSS_STORE).toBe(0);
    expect(await storeObjects()).toBe(created);
  });

  it("refuses a write that cannot apply to an empty store without creating it", async () => {
    const objects = watchedObjects();
    const device = new DeviceClient("never-written-refused", undefined, { env: objects.env });
    const created = await storeObjects();
    expectError(await device.put([["k", 3, "v"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await device.put([["k", 0, "v"]], { globalVersion: 4 }), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await device.put([], { deletes: [["gone", -1]] }), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await device.put([["k", 0, "a"], ["k", 0, "b"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    const fenced = await device.withLease("f".repeat(32)).put([["k", 0, "v"]]);
    expectError(fenced, 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(fenced.error?.message).toMatch(/^fenced:/);
    expectError(await device.withLease("f".repeat(32)).put([]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await device.withLease("f".repeat(32)).delete("k", -1), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(objects.reached().VSS_STORE).toBe(0);
    expect(await storeObjects()).toBe(created);
    // The first write that can apply creates the store, and later reads reach it.
    expect((await device.put([["k", 0, "v"], ["k", 1, "w"]], { globalVersion: 0, deletes: [] })).status).toBe(200);
    expect(await device.read("k")).toEqual({ version: 2, value: "w" });
    expect(await storeObjects()).toBe(created + 1);
  });

  it("is read as empty again once erased: account deletion leaves no object to reach", async () => {
    const device = new DeviceClient("erased-then-read");
    expect((await device.put([["k", 0, "v"]])).status).toBe(200);
    expect((await send("/deleteAccount", null, { authorization: device.key.header() })).status).toBe(200);
    const objects = watchedObjects();
    const again = new DeviceClient("erased-then-read", device.key, { env: objects.env });
    expectError(await again.get("k"), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
    expect((await again.list()).message?.keyVersions).toEqual([]);
    expect(objects.reached().VSS_STORE).toBe(0);
  });
});
