import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { ErrorCode } from "../../src/gen/vss_pb";
import { accountFor } from "../../src/account/vss-account";
import type { Env } from "../../src/env";
import { expectError, TestClient, type SendOptions } from "../support/vss";
import { SigsKey } from "../support/sigs";

const enc = (s: string) => new TextEncoder().encode(s).byteLength;

function client(vars: Partial<Env>, storeId = "s", key = new SigsKey()) {
  return new TestClient(storeId, key, { env: vars } satisfies SendOptions);
}

async function storeUsage(c: TestClient) {
  const identity = `sigs:${c.key.publicKeyHex}`;
  const stub = env.VSS_STORE.get(env.VSS_STORE.idFromName(`${identity.length}:${identity}/${c.storeId}`));
  return stub.usage();
}

describe("store quotas", () => {
  it("keeps usage exact through puts, overwrites, multi-item puts, deletes and failed puts", async () => {
    const c = client({});
    await c.put([["a", 0, "12345"]]);
    expect(await storeUsage(c)).toEqual({ bytes: 1 + 5, keys: 1 });
    await c.put([["a", 1, "12"]]); // overwrite counts the difference
    expect(await storeUsage(c)).toEqual({ bytes: 1 + 2, keys: 1 });
    await c.put([["bb", 0, "xyz"], ["é", 0, ""]], { globalVersion: 0 });
    expect(await storeUsage(c)).toEqual({ bytes: 3 + 5 + enc("é"), keys: 3 });
    expectError(await c.put([["new", 0, "zzzz"], ["a", 9, "x"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(await storeUsage(c)).toEqual({ bytes: 3 + 5 + enc("é"), keys: 3 });
    await c.put([["c", 0, "1"]], { deletes: [["bb", -1]] });
    expect(await storeUsage(c)).toEqual({ bytes: 3 + 2 + enc("é"), keys: 3 });
    await c.delete("a", -1);
    await c.delete("a", -1);
    await c.delete("c", 5); // version mismatch: nothing deleted
    expect(await storeUsage(c)).toEqual({ bytes: 2 + enc("é"), keys: 2 });
    await c.put([["big", -1, new Uint8Array(3 * 1024 * 1024 + 3)]]);
    expect(await storeUsage(c)).toEqual({ bytes: 2 + enc("é") + 3 + 3 * 1024 * 1024 + 3, keys: 3 });
  });

  it("refuses a write past the byte quota as a whole, naming the quota, and never blocks reads or deletes", async () => {
    const c = client({ VSS_QUOTA_STORE_BYTES: "100" });
    expect((await c.put([["k1", 0, "x".repeat(48)]])).status).toBe(200); // 50 bytes
    const reply = await c.put([["k2", 0, "x".repeat(40)], ["k3", 0, "x".repeat(40)]]);
    expectError(reply, 403, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(reply.error?.message).toMatch(/store quota exceeded: bytes/);
    expect((await c.get("k2")).status).toBe(404);
    expect((await c.put([["k2", 0, "x".repeat(48)]])).status).toBe(200); // exactly 100
    expectError(await c.put([["k3", 0, ""]]), 403, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect((await c.read("k1")).version).toBe(1);
    expect((await c.put([["k1", 1, "small"]])).status).toBe(200); // shrinking is fine
    expect((await c.delete("k2", -1)).status).toBe(200);
  });

  it("allows writes that shrink a store that is over a lowered quota", async () => {
    const roomy = client({}, "s");
    await roomy.put([["a", 0, "x".repeat(99)], ["b", 0, "x".repeat(99)]]);
    const tight = client({ VSS_QUOTA_STORE_BYTES: "50" }, "s", roomy.key);
    expect((await tight.put([["a", 1, "x"]])).status).toBe(200);
    expectError(await tight.put([["c", 0, "x"]]), 403, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect((await tight.listAll()).keys).toHaveLength(2);
  });

  it("refuses a write past the key-count quota", async () => {
    const c = client({ VSS_QUOTA_STORE_KEYS: "3" });
    expect((await c.put([["a", 0, ""], ["b", 0, ""], ["c", 0, ""]])).status).toBe(200);
    const reply = await c.put([["d", 0, ""]]);
    expectError(reply, 403, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(reply.error?.message).toMatch(/keys/);
    expect((await c.put([["d", 0, ""]], { deletes: [["a", -1]] })).status).toBe(200);
  });
});

describe("identity quotas", () => {
  const vars = { VSS_QUOTA_IDENTITY_BYTES: "200", VSS_QUOTA_IDENTITY_KEYS: "5" };

  it("counts all stores of an identity together, and only that identity", async () => {
    const key = new SigsKey();
    const one = client(vars, "one", key);
    const two = client(vars, "two", key);
    expect((await one.put([["a", 0, "x".repeat(99)]])).status).toBe(200); // 100
    expect((await two.put([["b", 0, "x".repeat(89)]])).status).toBe(200); // 190
    const reply = await two.put([["c", 0, "x".repeat(20)]]);
    expectError(reply, 403, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(reply.error?.message).toMatch(/identity quota exceeded: bytes/);
    expect((await client(vars, "one").put([["c", 0, "x".repeat(150)]])).status).toBe(200); // another identity
    await one.delete("a", -1); // gives its 100 bytes back
    expect((await two.put([["c", 0, "x".repeat(20)]])).status).toBe(200);
    expect(await accountFor(env, `sigs:${key.publicKeyHex}`).total()).toEqual({ bytes: 90 + 21, keys: 2 });
  });

  it("stays exact under concurrent writes to several stores", async () => {
    const key = new SigsKey();
    // Every write is exactly 40 bytes (keys of one length), so which five fit does not depend on their order.
    const writes = Array.from({ length: 12 }, (_, i) => client(vars, `s${i % 4}`, key).put([[`k${String(i).padStart(2, "0")}`, 0, "x".repeat(37)]]));
    const replies = await Promise.all(writes); // 40 bytes each: at most 5 fit (by bytes and keys)
    const answers = replies.map((r) => `${r.status} ${r.error?.message ?? ""}`).join("; ");
    expect(replies.filter((r) => r.status === 200), answers).toHaveLength(5);
    expect(await accountFor(env, `sigs:${key.publicKeyHex}`).total()).toEqual({ bytes: 200, keys: 5 });
  });
});
