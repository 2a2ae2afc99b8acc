// LeaseKeeper's schedule and loss rules against the real Worker, on a manual clock (no test depends on timing).
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { describe, expect, it, vi } from "vitest";
import { ConflictError, exponentialBackoff, isPermanent, skipRetryOn, LeaseKeeper, LeaseLostError, NO_RETRY, sigsAuth, VssClient, type Lease, type LeaseKeeperOptions, type LeaseLoss } from "../../../src/index.js";
import { BASE, serverFetch, text } from "../support.js";
import { controlledFetch, ManualClock } from "./support.js";

const TTL_SECONDS = 30; // renew every 10 s; writes allowed until 27 s after the last successful renewal was sent

/** A keeper on a manual clock, with the fetch of its device under the test's control, and a second device. */
function setup(overrides: Partial<LeaseKeeperOptions> = {}, storeId = "keeper") {
  const secretKey = secp256k1.utils.randomSecretKey();
  const controlled = controlledFetch();
  const client = new VssClient(BASE, { fetch: controlled.fetch, headerProvider: sigsAuth(secretKey), retryPolicy: NO_RETRY });
  const laptop = new VssClient(BASE, { fetch: serverFetch, headerProvider: sigsAuth(secretKey), retryPolicy: NO_RETRY });
  const clock = new ManualClock();
  const renewals: Lease[] = [];
  const losses: LeaseLoss[] = [];
  let onRenewal: () => void = () => undefined;
  const keeper = new LeaseKeeper(client, {
    storeId,
    holder: "phone",
    ttlSeconds: TTL_SECONDS,
    clock,
    onRenewed: (lease) => {
      renewals.push(lease);
      onRenewal();
    },
    onLost: (loss) => losses.push(loss),
    ...overrides,
  });
  const renewed = () => new Promise<void>((resolve) => (onRenewal = resolve));
  const put = (key: string) => keeper.putObjects({ storeId, transactionItems: [{ key, version: -1n, value: text(key) }] });
  return { keeper, client, secretKey, laptop, clock, controlled, renewals, losses, renewed, put, storeId };
}

describe("LeaseKeeper", () => {
  it("derives its schedule from the TTL: renew at a third, local expiry at TTL less 10 %", () => {
    const { keeper } = setup();
    expect([keeper.renewIntervalMs, keeper.safetyMarginMs]).toEqual([10_000, 3_000]);
    const small = setup({ ttlSeconds: 5 }).keeper;
    expect([Math.round(small.renewIntervalMs), small.safetyMarginMs]).toEqual([1667, 500]);
    expect(() => setup({ renewIntervalMs: 28_000 })).toThrow(RangeError);
  });

  it("renews on schedule from when each renewal was sent, and the server extends the lease", async () => {
    const { keeper, laptop, clock, controlled, renewals, renewed, storeId } = setup();
    const granted = await keeper.acquire();
    expect(keeper.state).toBe("held");
    expect(clock.pending()).toEqual([10_000, 27_000]);

    clock.advance(9_999);
    expect(controlled.count("/renewLease")).toBe(0);
    let done = renewed();
    clock.advance(1);
    await done;
    expect(controlled.count("/renewLease")).toBe(1);
    expect(renewals[0]).toMatchObject({ epoch: granted.epoch, token: granted.token });
    // Renewed at t = 10 s: next renewal at 20 s, local expiry at 37 s — wherever the server's clock says it expires.
    expect(clock.pending()).toEqual([10_000, 27_000]);
    expect((await laptop.getLease({ storeId }))?.expiresAtMs).toBe(renewals[0]?.expiresAtMs);

    done = renewed();
    clock.advance(10_000);
    await done;
    expect(controlled.count("/renewLease")).toBe(2);
    expect(keeper.validForMs).toBe(27_000);
  });

  it("counts the validity from when a slow renewal was sent, not from its answer", async () => {
    const { keeper, clock, controlled, losses, renewed, put } = setup();
    await keeper.acquire();
    let answer: (() => void) | undefined;
    controlled.plan("/renewLease", () => new Promise<void>((resolve) => (answer = resolve)), "hang");
    clock.advance(10_000); // renewal sent at 10 s, held back
    await vi.waitFor(() => expect(answer).toBeDefined());
    clock.advance(5_000);
    const done = renewed();
    answer?.(); // answered at 15 s
    await done;
    expect(keeper.validForMs).toBe(37_000 - 15_000);
    clock.advance(5_000); // the next renewal (20 s) hangs
    clock.advance(16_999);
    expect(keeper.state).toBe("held");
    await put("still-valid");
    clock.advance(1);
    expect(keeper.state).toBe("lost");
    expect(losses).toEqual([expect.objectContaining({ reason: "expired" })]);
  });

  it("reports a takeover at the next renewal, once, and then refuses writes without sending them", async () => {
    const { keeper, laptop, clock, controlled, losses, put, storeId } = setup();
    await put("before").catch((error: unknown) => expect(error).toBeInstanceOf(LeaseLostError));
    expect(controlled.count("/putObjects")).toBe(0);
    const granted = await keeper.acquire();
    await put("mine");
    const lost = keeper.whenLost();
    const taken = await laptop.acquireLease({ storeId, holder: "laptop", ttlSeconds: 30, force: true });
    expect(taken.epoch).toBe(granted.epoch + 1n);
    clock.advance(10_000);
    const loss = await lost;
    expect(loss).toMatchObject({ reason: "refused", epoch: granted.epoch });
    expect(keeper.state).toBe("lost");
    expect(losses).toHaveLength(1);

    const writes = controlled.count("/putObjects");
    const refused = await put("after").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LeaseLostError);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toMatch(/^fenced: /);
    await expect(keeper.deleteObject({ storeId, keyValue: { key: "mine", version: -1n } })).rejects.toBeInstanceOf(LeaseLostError);
    expect(controlled.count("/putObjects")).toBe(writes);
    expect(controlled.count("/deleteObject")).toBe(0);
    expect(clock.pending()).toEqual([]);
  });

  it("learns of a takeover from a fenced write before any renewal", async () => {
    const { keeper, laptop, losses, put, storeId } = setup();
    await keeper.acquire();
    await laptop.acquireLease({ storeId, holder: "laptop", ttlSeconds: 30, force: true });
    const fenced = await put("late").catch((error: unknown) => error);
    expect(fenced).toBeInstanceOf(ConflictError);
    expect((fenced as Error).message).toMatch(/^fenced: /);
    expect(losses).toEqual([expect.objectContaining({ reason: "fenced" })]);
    await expect(put("later")).rejects.toBeInstanceOf(LeaseLostError);
  });

  it("retries a failed renewal soon, and loses the lease at the local expiry when none gets through", async () => {
    const { keeper, clock, controlled, renewed, losses } = setup();
    await keeper.acquire();
    controlled.plan("/renewLease", "fail");
    clock.advance(10_000);
    await vi.waitFor(() => expect(clock.pending()).toEqual([1_000, 17_000])); // the failure is back: retry in 1 s
    const done = renewed();
    clock.advance(1_000); // retried a second later
    await done;
    expect(controlled.count("/renewLease")).toBe(2);
    expect(keeper.state).toBe("held");

    controlled.plan("/renewLease", "hang");
    clock.advance(26_999); // from 11 s: renewal at 21 s hangs; local expiry at 11 + 27 = 38 s
    expect(keeper.state).toBe("held");
    clock.advance(1);
    expect(keeper.state).toBe("lost");
    expect(losses[0]?.reason).toBe("expired");
  });

  it("does not retry a fenced write once the lease is lost while the retry waits", async () => {
    const secretKey = secp256k1.utils.randomSecretKey();
    const controlled = controlledFetch();
    const clock = new ManualClock();
    const retrying = new VssClient(BASE, {
      fetch: controlled.fetch,
      headerProvider: sigsAuth(secretKey),
      retryPolicy: skipRetryOn(exponentialBackoff(10), isPermanent), // ldk-node's rule: transient failures only
      retry: { sleep: async () => clock.advance(30_000) }, // the device sleeps through its lease while waiting
    });
    const keeper = new LeaseKeeper(retrying, { storeId: "retry", holder: "phone", ttlSeconds: TTL_SECONDS, clock });
    await keeper.acquire();
    controlled.plan("/putObjects", "fail");
    const failed = await keeper.putObjects({ storeId: "retry", transactionItems: [{ key: "k", version: -1n }] }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(LeaseLostError);
    expect(controlled.count("/putObjects")).toBe(1);
    expect(keeper.loss?.reason).toBe("expired");
  });

  it("stops renewing on request and is lost at the local expiry; release hands the lease back", async () => {
    const first = setup({}, "stop");
    await first.keeper.acquire();
    first.keeper.stopRenewing();
    first.clock.advance(26_999);
    expect(first.controlled.count("/renewLease")).toBe(0);
    expect(first.keeper.state).toBe("held");
    first.clock.advance(1);
    expect(first.keeper.state).toBe("lost");

    const second = setup({}, "release");
    await second.keeper.acquire();
    await second.keeper.release();
    expect(second.keeper.state).toBe("released");
    expect(await second.laptop.getLease({ storeId: "release" })).toBeUndefined();
    await expect(second.put("after")).rejects.toBeInstanceOf(LeaseLostError);
    expect(second.clock.pending()).toEqual([]);
    await expect(second.keeper.putObjects({ storeId: "other", transactionItems: [] })).rejects.toThrow(/fences store "release"/);
  });

  it("fences an unmodified client through its header provider, by the server", async () => {
    const { keeper, laptop, secretKey, storeId } = setup();
    expect(() => keeper.leaseHeaders()).toThrow(LeaseLostError);
    const lease = await keeper.acquire();
    expect(keeper.leaseHeaders()).toEqual({ "vss-lease": lease.token });
    // What ldk-node does with build_with_vss_store_and_fixed_headers: every request carries the token.
    const node = new VssClient(BASE, { fetch: serverFetch, headerProvider: keeper.headerProvider(sigsAuth(secretKey)), retryPolicy: NO_RETRY });
    await node.putObjects({ storeId, transactionItems: [{ key: "channel_manager", version: 0n, value: text("1") }] });
    expect((await node.getObject({ storeId, key: "channel_manager" })).version).toBe(1n);
    await laptop.acquireLease({ storeId, holder: "laptop", ttlSeconds: 30, force: true });
    const stale = await node.putObjects({ storeId, transactionItems: [{ key: "channel_manager", version: 1n, value: text("2") }] }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as Error).message).toMatch(/^fenced: /);
    expect((await laptop.getObject({ storeId, key: "channel_manager" })).version).toBe(1n);
  });
});
