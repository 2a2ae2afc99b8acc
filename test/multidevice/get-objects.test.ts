import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { DeviceClient } from "../support/multidevice";
import { expectError } from "../support/vss";

const MiB = 1024 * 1024;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
/** Byte equality without a deep-equality walk (which is slow and heavy on values of several MiB). */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A value whose bytes say where they are, so a mix-up shows. */
function patterned(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) out[i] = (i / 4096 + seed) & 0xff;
  return out;
}

/** MULTIDEVICE.md §7: getObjects. */
describe("getObjects", () => {
  it("answers values in request order, byte-exact with their versions; missing keys listed apart", async () => {
    const device = new DeviceClient("batch-order");
    await device.put([["a", 0, "alpha"], ["b", 0, ""], ["c", 0, "gamma"]]);
    await device.put([["c", 1, "gamma-2"]]);
    const reply = (await device.getObjects(["c", "nope", "a", "b", "also-nope"])).message;
    expect(reply?.values.map((kv) => [kv.key, kv.version, text(kv.value)])).toEqual([
      ["c", 2n, "gamma-2"],
      ["a", 1n, "alpha"],
      ["b", 1n, ""],
    ]);
    expect(reply?.missingKeys).toEqual(["nope", "also-nope"]);
    expect(reply?.remainingKeys).toEqual([]);
  });

  it("answers the key global_version like getObject does", async () => {
    const device = new DeviceClient("batch-gv");
    const fresh = (await device.getObjects(["global_version"])).message;
    expect(fresh?.values.map((kv) => [kv.key, kv.version, kv.value.length])).toEqual([["global_version", 0n, 0]]);
    await device.put([["k", 0, "v"]], { globalVersion: 0 });
    expect((await device.getObjects(["k", "global_version"])).message?.values.map((kv) => kv.version)).toEqual([1n, 1n]);
  });

  it("includes large values whole, and keeps to the 16 MiB budget: the key that would pass it and all after go to remaining_keys", async () => {
    const device = new DeviceClient("batch-budget");
    const sizes: [string, number][] = [["a", 6 * MiB], ["b", 6 * MiB], ["c", 6 * MiB], ["d", 10]];
    for (const [key, size] of sizes) expect((await device.put([[key, 0, patterned(size, key.charCodeAt(0))]])).status).toBe(200);
    const first = (await device.getObjects(["a", "missing", "b", "c", "d"])).message;
    expect(first?.values.map((kv) => kv.key)).toEqual(["a", "b"]);
    expect(sameBytes(first?.values[0]?.value, patterned(6 * MiB, 97))).toBe(true);
    expect(sameBytes(first?.values[1]?.value, patterned(6 * MiB, 98))).toBe(true);
    expect(first?.missingKeys).toEqual(["missing"]);
    expect(first?.remainingKeys).toEqual(["c", "d"]);
    const rest = (await device.getObjects(first?.remainingKeys ?? [])).message;
    expect(rest?.values.map((kv) => [kv.key, kv.value.length])).toEqual([["c", 6 * MiB], ["d", 10]]);
  });

  it("always answers the first key, whatever its size (a 32 MiB value)", async () => {
    const device = new DeviceClient("batch-first");
    const big = patterned(32 * MiB, 7);
    expect((await device.put([["big", 0, big]])).status).toBe(200);
    await device.put([["small", 0, "s"]]);
    const reply = (await device.getObjects(["big", "small"])).message;
    expect(reply?.values.map((kv) => kv.key)).toEqual(["big"]);
    expect(sameBytes(reply?.values[0]?.value, big)).toBe(true);
    expect(reply?.remainingKeys).toEqual(["small"]);
  });

  it("refuses no keys, more than 100, a repeated key and an over-long key with 400", async () => {
    const device = new DeviceClient("batch-bad");
    expectError(await device.getObjects([]), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await device.getObjects(Array.from({ length: 101 }, (_, i) => `k${i}`)), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await device.getObjects(["a", "b", "a"]), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await device.getObjects(["k".repeat(601)]), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    const hundred = (await device.getObjects(Array.from({ length: 100 }, (_, i) => `k${i}`))).message;
    expect(hundred?.missingKeys.length).toBe(100);
  });
});
