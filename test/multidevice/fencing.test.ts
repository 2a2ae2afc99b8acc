import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { DeviceClient } from "../support/multidevice";
import { expectError, send } from "../support/vss";
import { expire } from "../support/stores";

/** MULTIDEVICE.md §4 "Fencing": putObjects and deleteObject, checked in the write's own serialized step. */
describe("fencing", () => {
  it("1. the live lease's token in vss-lease: the write proceeds under the usual rules", async () => {
    const device = new DeviceClient("fence-1");
    const lease = await device.mustAcquire("phone");
    const holder = device.withLease(lease.token);
    expect((await holder.put([["k", 0, "v1"]])).status).toBe(200);
    expectError(await holder.put([["k", 0, "again"]]), 409, ErrorCode.CONFLICT_EXCEPTION); // the version rules still hold
    expect((await holder.put([["k", 1, "v2"]])).status).toBe(200);
    expect((await holder.delete("k", 2)).status).toBe(200);
    expectError(await holder.get("k"), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
  });

  it("2. any other token is refused with 409 `fenced:` and nothing applied — also when no lease is live", async () => {
    const device = new DeviceClient("fence-2");
    expect((await device.put([["k", 0, "v"]])).status).toBe(200);
    const stranger = device.withLease("0123456789abcdef0123456789abcdef");
    const refused = await stranger.put([["k", 1, "x"]]);
    expectError(refused, 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(refused.error?.message).toMatch(/^fenced:/);
    expectError(await stranger.delete("k", -1), 409, ErrorCode.CONFLICT_EXCEPTION);
    // A token that stopped being live can never write again: released, superseded or expired.
    const released = await device.mustAcquire("phone");
    await device.release(released.token);
    const superseded = await device.mustAcquire("phone");
    await device.mustAcquire("laptop", 60, true);
    const expired = await device.mustAcquire("tablet", 60, true);
    await expire(device);
    for (const token of [released.token, superseded.token, expired.token]) {
      const old = await device.withLease(token).put([["k", 1, "stale"]]);
      expectError(old, 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(old.error?.message).toMatch(/^fenced:/);
    }
    expect(await device.read("k")).toEqual({ version: 1, value: "v" });
  });

  it("3. no header while a lease is live: 409 `fenced:` for putObjects and for deleteObject (not its usual 200)", async () => {
    const device = new DeviceClient("fence-3");
    expect((await device.put([["k", 0, "v"]])).status).toBe(200);
    await device.mustAcquire("phone");
    const put = await device.put([["k", 1, "x"]]);
    expectError(put, 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(put.error?.message).toMatch(/^fenced: a lease is held by "phone"/);
    expectError(await device.delete("k", -1), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await device.delete("missing", -1), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await device.put([], { globalVersion: 0 }), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(await device.read("k")).toEqual({ version: 1, value: "v" });
  });

  it("4. no header and no live lease: CONTRACT.md behaviour, unchanged (after a release and after an expiry too)", async () => {
    const device = new DeviceClient("fence-4");
    expect((await device.put([["k", 0, "v"]])).status).toBe(200);
    expect((await device.delete("missing", -1)).status).toBe(200);
    const lease = await device.mustAcquire("phone");
    await device.release(lease.token);
    expect((await device.put([["k", 1, "v2"]])).status).toBe(200);
    await device.mustAcquire("phone", 5);
    await expire(device);
    expect((await device.put([["k", 2, "v3"]])).status).toBe(200);
  });

  it("an empty putObjects is fenced like any other while a lease is live, and with any token that is not live", async () => {
    const device = new DeviceClient("fence-empty");
    expect((await device.put([["k", 0, "v"]])).status).toBe(200);
    const stale = device.withLease("0123456789abcdef0123456789abcdef");
    expectError(await stale.put([]), 409, ErrorCode.CONFLICT_EXCEPTION); // rule 2, no lease live
    const lease = await device.mustAcquire("phone");
    for (const writer of [device, stale]) {
      const refused = await writer.put([]);
      expectError(refused, 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(refused.error?.message).toMatch(/^fenced:/);
    }
    expect((await device.withLease(lease.token).put([])).status).toBe(200);
    await device.release(lease.token);
    expect((await device.put([])).status).toBe(200); // rule 4: no header, no live lease
    expectError(await device.withLease(lease.token).put([]), 409, ErrorCode.CONFLICT_EXCEPTION);
  });

  it("a token on a store never written is refused, and the refusal creates nothing", async () => {
    const device = new DeviceClient("fence-fresh").withLease("0123456789abcdef0123456789abcdef");
    expectError(await device.put([["k", 0, "v"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await device.delete("k", -1), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await new DeviceClient("fence-fresh", device.key).getLease()).message?.lease).toBeUndefined();
  });

  it("reads are never fenced, and a vss-lease header on them is ignored", async () => {
    const device = new DeviceClient("fence-reads");
    expect((await device.put([["k", 0, "v"]])).status).toBe(200);
    await device.mustAcquire("phone");
    for (const reader of [device, device.withLease("wrong")]) {
      expect((await reader.get("k")).status).toBe(200);
      expect((await reader.list()).status).toBe(200);
      expect((await reader.getObjects(["k"])).status).toBe(200);
      expect((await reader.changes(0)).status).toBe(200);
      expect((await reader.getLease()).status).toBe(200);
    }
  });

  it("a forced takeover refuses the old holder's very next write", async () => {
    const device = new DeviceClient("fence-takeover");
    const a = await device.mustAcquire("A");
    expect((await device.withLease(a.token).put([["k", 0, "from A"]])).status).toBe(200);
    const b = await device.mustAcquire("B", 60, true);
    expectError(await device.withLease(a.token).put([["k", 1, "late A"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await device.withLease(b.token).put([["k", 1, "from B"]])).status).toBe(200);
    expect(await device.read("k")).toEqual({ version: 2, value: "from B" });
  });

  it("account deletion is not fenced and removes the lease with the data", async () => {
    const device = new DeviceClient("fence-account");
    expect((await device.put([["k", 0, "v"]])).status).toBe(200);
    await device.mustAcquire("phone");
    expect((await send("/deleteAccount", null, { authorization: device.key.header() })).status).toBe(200);
    expect((await device.getLease()).message?.lease).toBeUndefined();
    expect((await device.put([["k", 0, "fresh"]])).status).toBe(200);
    expect((await device.mustAcquire("phone")).epoch).toBe(1n);
  });
});
