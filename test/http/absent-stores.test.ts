import { env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { DeviceClient } from "../support/multidevice";
import { directoryFor } from "../../src/directory/shards";
import type { Env } from "../../src/env";
import { forgetStore } from "../../src/worker/store-gate";
import { watchedObjects } from "../support/object-calls";
import { expectError, send } from "../support/vss";

/** How many store objects exist (with storage) in this file's isolated state. */
const storeObjects = async () => (await listDurableObjectIds(env.VSS_STORE)).length;
/** How many account objects exist (with storage). */
const accountObjects = async () => (await listDurableObjectIds(env.VSS_ACCOUNT)).length;

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
    const accounts = await accountObjects();
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
    // The directory does not list this identity, so its account was asked (a store older than the directory would
    // be found there): reaching it made the identity's own, empty account object — one, however many reads.
    expect(await accountObjects()).toBe(accounts + 1);
    expect(objects.reached().VSS_ACCOUNT).toBeGreaterThan(1);
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

  it("still finds a store whose identity the directory does not list (written before the directory), and lists it", async () => {
    const device = new DeviceClient("older-than-the-directory");
    expect((await device.put([["channel", 0, "state"]])).status).toBe(200);
    // As a store from before the directory (or whose listing failed): the account knows it, the directory does not.
    const identity = `sigs:${device.key.publicKeyHex}`;
    const account = env.VSS_ACCOUNT.get(env.VSS_ACCOUNT.idFromName(identity));
    await runInDurableObject(account, (_o, state) => void state.storage.sql.exec("UPDATE account_meta SET listed = 0"));
    await directoryFor(env as unknown as Env, identity).remove(identity);
    forgetStore(identity, device.storeId);
    expect(await directoryFor(env as unknown as Env, identity).has(identity)).toBe(false);
    expect(await device.read("channel")).toEqual({ version: 1, value: "state" });
    expect((await device.list()).message?.keyVersions.map((kv) => kv.key)).toEqual(["channel"]);
    expect(await directoryFor(env as unknown as Env, identity).has(identity)).toBe(true);
    // A store the identity never wrote is still answered as empty, without reaching an object.
    const objects = watchedObjects();
    const other = new DeviceClient("never-written-by-a-listed-identity", device.key, { env: objects.env });
    expectError(await other.get("k"), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
    expect(objects.reached().VSS_STORE).toBe(0);
  });
});
