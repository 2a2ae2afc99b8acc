import { describe, expect, it } from "vitest";
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { ErrorCode } from "../../src/gen/vss_pb";
import { CHUNK_BYTES } from "../../src/store/limits";
import { expectError, TestClient } from "../support/vss";
import { storeStub } from "../support/stores";

const MiB = 1024 * 1024;

/** Deterministic bytes that differ at every offset and from one seed to another. */
function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Chunked values: a Durable Object row holds at most 2 MB, Workers RPC carries at most 32 MiB. */
describe("large values", () => {
  it("round-trips a 32 MiB value byte-exact through put, get, list and delete", async () => {
    const c = new TestClient();
    const value = pattern(32 * MiB, 7);
    expect((await c.put([["channel_manager", -1, value]])).status).toBe(200);
    const got = await c.get("channel_manager");
    expect(got.message?.value?.version).toBe(1n);
    expect(sameBytes(got.message?.value?.value, value)).toBe(true);
    expect((await c.listAll()).keys.map((k) => [k.key, k.version])).toEqual([["channel_manager", 1n]]);
    expect((await c.delete("channel_manager", 1)).status).toBe(200);
    expect((await c.get("channel_manager")).status).toBe(404);
  });

  it("stores sizes around the chunk boundary exactly", async () => {
    const c = new TestClient();
    for (const size of [CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES, 3 * CHUNK_BYTES + 5]) {
      const value = pattern(size, size);
      await c.put([[`v${size}`, -1, value]]);
      expect(sameBytes((await c.get(`v${size}`)).message?.value?.value, value), `size ${size}`).toBe(true);
    }
  });

  it("puts a large value atomically inside a multi-item put, next to many inline values", async () => {
    const c = new TestClient();
    const big = pattern(20 * MiB, 1);
    const small = Array.from({ length: 25 }, (_, i) => [`small${i}`, 0, pattern(700 * 1024, i + 10)] as [string, number, Uint8Array]);
    expect((await c.put([["big", 0, big], ...small], { globalVersion: 0 })).status).toBe(200);
    expect(sameBytes((await c.get("big")).message?.value?.value, big)).toBe(true);
    expect(sameBytes((await c.get("small24")).message?.value?.value, small[24]![2])).toBe(true);
    expect((await c.read("global_version")).version).toBe(1);
  });

  it("applies nothing when a multi-item put with a large value conflicts, and leaves no staged chunks", async () => {
    const c = new TestClient();
    const old = pattern(3 * MiB, 2);
    await c.put([["big", 0, old], ["other", 0, "o"]]);
    const reply = await c.put([["big", 1, pattern(12 * MiB, 3)], ["new", 0, "n"], ["other", 5, "x"]]);
    expectError(reply, 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(sameBytes((await c.get("big")).message?.value?.value, old)).toBe(true);
    expect((await c.get("new")).status).toBe(404);
    const counts = await storeCounts(c);
    expect(counts).toEqual({ blobs: 1, chunks: 3 });
  });

  it("carries many small values past one call's budget in a few staging calls, atomically", async () => {
    const c = new TestClient();
    const values = Array.from({ length: 700 }, (_, i) => pattern(40_000, i + 1));
    const items = values.map((v, i) => [`s${i}`, 0, v] as [string, number, Uint8Array]);
    expect((await c.put(items)).status).toBe(200);
    for (const i of [0, 399, 400, 699]) expect(sameBytes((await c.get(`s${i}`)).message?.value?.value, values[i]!)).toBe(true);
    const counts = await storeCounts(c);
    expect(counts.blobs).toBeGreaterThan(0); // the values past 16 MiB went through staging
    expect(counts.blobs).toBe(counts.chunks);
    expectError(await c.put(items), 409, ErrorCode.CONFLICT_EXCEPTION); // all at version 0 again
    expect(await storeCounts(c)).toEqual(counts); // the conflicting request's staged values are gone
  });

  it("frees the chunks of a replaced or deleted value when no past values are retained (VSS_HISTORY_VALUES_DAYS=0)", async () => {
    const c = new TestClient("store", undefined, { env: { VSS_HISTORY_VALUES_DAYS: "0" } });
    await c.put([["k", -1, pattern(5 * MiB, 4)]]);
    await c.put([["k", -1, pattern(2 * MiB + 1, 5)]]);
    expect(await storeCounts(c)).toEqual({ blobs: 1, chunks: 3 });
    await c.put([["k", -1, "small now"]]);
    expect(await storeCounts(c)).toEqual({ blobs: 0, chunks: 0 });
    await c.put([["k", -1, pattern(4 * MiB, 6)]]);
    await c.delete("k", -1);
    expect(await storeCounts(c)).toEqual({ blobs: 0, chunks: 0 });
  });

  it("keeps a replaced value's chunks while the history retains it, and frees them when the retention has passed", async () => {
    const c = new TestClient("retained");
    await c.put([["k", -1, pattern(5 * MiB, 4)]]);
    await c.put([["k", -1, "small now"]]);
    expect(await storeCounts(c)).toEqual({ blobs: 1, chunks: 5 });
    await runInDurableObject(storeStub(c), (_o, state) => {
      state.storage.sql.exec("UPDATE history_versions SET ended_at = ?", Date.now() - 8 * 86_400_000);
    });
    expect(await runDurableObjectAlarm(storeStub(c))).toBe(true);
    expect(await storeCounts(c)).toEqual({ blobs: 0, chunks: 0 });
  });

  it("never shows a reader a mix of two versions while a writer replaces a value", async () => {
    const c = new TestClient();
    const values = [pattern(24 * MiB, 100), pattern(24 * MiB, 200)];
    await c.put([["k", -1, values[0]!]]);
    const writes = (async () => {
      for (let i = 1; i <= 4; i++) expect((await c.put([["k", -1, values[i % 2]!]])).status).toBe(200);
    })();
    const reads = (async () => {
      for (let i = 0; i < 4; i++) {
        const got = (await c.get("k")).message?.value?.value;
        expect(values.some((v) => sameBytes(got, v))).toBe(true);
      }
    })();
    await Promise.all([writes, reads]);
  });
});

/** Rows in the store's blob tables, read inside its Durable Object. */
async function storeCounts(c: TestClient): Promise<{ blobs: number; chunks: number }> {
  const identity = `sigs:${c.key.publicKeyHex}`;
  const stub = env.VSS_STORE.get(env.VSS_STORE.idFromName(`${identity.length}:${identity}/${c.storeId}`));
  return runInDurableObject(stub, (_instance, state) => ({
    blobs: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM blobs").one().n,
    chunks: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM blob_chunks").one().n,
  }));
}
