import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { DeviceClient } from "../support/multidevice";
import { expectError } from "../support/vss";
import { expire, restart, storeStub } from "../support/stores";

const now = () => Date.now();

/** MULTIDEVICE.md §4: leases. */
describe("leases", () => {
  it("acquire grants epoch 1 with a 128-bit token and expiry now + ttl; getLease shows it without its token", async () => {
    const device = new DeviceClient("lease-basic");
    const before = now();
    const lease = await device.mustAcquire("Alice's phone", 30);
    expect(lease.epoch).toBe(1n);
    expect(lease.holder).toBe("Alice's phone");
    expect(lease.token.length).toBeGreaterThanOrEqual(32);
    expect(Number(lease.expiresAtMs)).toBeGreaterThanOrEqual(before + 30_000);
    expect(Number(lease.expiresAtMs)).toBeLessThanOrEqual(now() + 30_000);
    const shown = (await device.getLease()).message?.lease;
    expect(shown).toMatchObject({ epoch: 1n, holder: "Alice's phone", expiresAtMs: lease.expiresAtMs, token: "" });
  });

  it("refuses a second acquire while a lease is live, naming the holder and the seconds left — the same holder label too", async () => {
    const device = new DeviceClient("lease-busy");
    await device.mustAcquire("phone", 60);
    for (const holder of ["laptop", "phone"]) {
      const refused = await device.acquire(holder, 60);
      expectError(refused, 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(refused.error?.message).toMatch(/"phone"/);
      expect(refused.error?.message).toMatch(/(59|60) more seconds/);
    }
  });

  it("force grants a new lease at once with the next epoch, ending the previous one", async () => {
    const device = new DeviceClient("lease-force");
    const first = await device.mustAcquire("phone", 60);
    const second = await device.mustAcquire("laptop", 60, true);
    expect(second.epoch).toBe(2n);
    expect(second.token).not.toBe(first.token);
    expectError(await device.renew(first.token), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await device.getLease()).message?.lease?.holder).toBe("laptop");
  });

  it("renew extends the live lease (same epoch and token); any other token is refused", async () => {
    const device = new DeviceClient("lease-renew");
    const other = new DeviceClient("lease-renew-other", device.key);
    const lease = await device.mustAcquire("phone", 10);
    const otherLease = await other.mustAcquire("phone", 10);
    const renewed = (await device.renew(lease.token, 120)).message?.lease;
    expect(renewed).toMatchObject({ epoch: lease.epoch, token: lease.token, holder: "phone" });
    expect(Number(renewed?.expiresAtMs)).toBeGreaterThan(Number(lease.expiresAtMs) + 100_000);
    for (const token of ["", "unknown", lease.token.toUpperCase(), otherLease.token]) {
      expectError(await device.renew(token), 409, ErrorCode.CONFLICT_EXCEPTION);
    }
  });

  it("an expired lease is lost: it cannot be renewed, only a new one acquired, with a new epoch", async () => {
    const device = new DeviceClient("lease-expired");
    const lease = await device.mustAcquire("phone", 5);
    await expire(device);
    expectError(await device.renew(lease.token), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await device.getLease()).message?.lease).toBeUndefined();
    const next = await device.mustAcquire("phone", 5);
    expect(next.epoch).toBe(2n);
  });

  it("release ends the live lease; any other token is a 200 with no effect", async () => {
    const device = new DeviceClient("lease-release");
    const lease = await device.mustAcquire("phone", 60);
    expect((await device.release("not-it")).status).toBe(200);
    expect((await device.getLease()).message?.lease?.epoch).toBe(1n);
    expect((await device.release(lease.token)).status).toBe(200);
    expect((await device.getLease()).message?.lease).toBeUndefined();
    expect((await device.release(lease.token)).status).toBe(200);
    expectError(await device.renew(lease.token), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await device.mustAcquire("laptop")).epoch).toBe(2n);
  });

  it("getLease on a store that was never written answers no lease and creates nothing", async () => {
    const device = new DeviceClient("lease-none");
    expect((await device.getLease()).message?.lease).toBeUndefined();
    expect((await device.release("x")).status).toBe(200);
    expectError(await device.renew("x"), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(await runInDurableObject(storeStub(device), (_o, s) => s.storage.sql.exec("SELECT 1 FROM sqlite_master").toArray().length)).toBe(0);
  });

  it("checks holder and ttl_seconds before any lease state: 400 even while a lease is live", async () => {
    const device = new DeviceClient("lease-input");
    const lease = await device.mustAcquire("phone", 60);
    for (const [holder, ttl] of [["", 60], ["h".repeat(121), 60], ["phone", 4], ["phone", 3601], ["phone", 0], ["phone", -5]] as const) {
      expectError(await device.acquire(holder, ttl), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    }
    for (const ttl of [4, 3601]) expectError(await device.renew(lease.token, ttl), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect((await device.mustAcquire("p".repeat(120), 3600, true)).epoch).toBe(2n);
    expect((await device.acquire("é".repeat(120), 5, true)).status).toBe(200);
  });

  it("epochs survive the object's restart and are never reused", async () => {
    const device = new DeviceClient("lease-restart");
    await device.mustAcquire("phone", 60);
    await device.mustAcquire("laptop", 60, true);
    await restart(device);
    expect((await device.getLease()).message?.lease).toMatchObject({ epoch: 2n, holder: "laptop" });
    expect((await device.mustAcquire("tablet", 60, true)).epoch).toBe(3n);
  });

  it("a lease acquire is a write: a new store past the identity's store quota is refused", async () => {
    const device = new DeviceClient("lease-quota-new", undefined, { env: { VSS_QUOTA_IDENTITY_STORES: "1" } });
    expect((await new DeviceClient("first", device.key, device.options).put([["k", 0, "v"]])).status).toBe(200);
    expectError(await device.acquire("phone"), 403, ErrorCode.INVALID_REQUEST_EXCEPTION);
  });
});
