import { describe, expect, it } from "vitest";
import { VssError } from "../../src/errors";
import { ByteBudget, LEASE_MAX_AGE_MS, MemoryLease } from "../../src/worker/memory-budget";

describe("the isolate's memory budget", () => {
  it("lets requests take bytes while they fit, and makes the rest wait until bytes come back, oldest first", async () => {
    const budget = new ByteBudget(100);
    const [a, b, c] = [new MemoryLease(budget), new MemoryLease(budget), new MemoryLease(budget)];
    await a.grow(60);
    const order: string[] = [];
    const waitingB = b.grow(50).then(() => order.push("b"));
    const waitingC = c.grow(30).then(() => order.push("c"));
    await c.grow(0);
    // c fits now (60 + 30 ≤ 100) even though b came first: nobody waits for room that exists.
    await waitingC;
    expect(budget.free).toBe(10);
    a.release();
    await waitingB;
    expect(order).toEqual(["c", "b"]);
    expect(budget.free).toBe(20);
    b.release();
    c.release();
    expect(budget.free).toBe(100);
  });

  it("answers 503 with Retry-After when the bytes do not come in time", async () => {
    const budget = new ByteBudget(10);
    await new MemoryLease(budget).grow(10);
    const error = await budget.take(5, new MemoryLease(budget), 20).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VssError);
    expect(error).toMatchObject({ status: 503, headers: { "retry-after": "5" } });
  });

  it("takes back the bytes of a request abandoned without releasing them", async () => {
    const budget = new ByteBudget(10);
    await new MemoryLease(budget, Date.now() - LEASE_MAX_AGE_MS - 1).grow(10);
    await new MemoryLease(budget).grow(10);
    expect(budget.free).toBe(0);
  });

  it("releases a large answer's bytes only when its body has been read", async () => {
    const budget = new ByteBudget(8 * 1024 * 1024);
    const lease = new MemoryLease(budget);
    await lease.grow(2 * 1024 * 1024);
    const sent = lease.releaseWhenSent(new Response(new Uint8Array(2 * 1024 * 1024)));
    expect(budget.free).toBe(6 * 1024 * 1024);
    expect((await sent.arrayBuffer()).byteLength).toBe(2 * 1024 * 1024);
    expect(budget.free).toBe(8 * 1024 * 1024);
  });
});
