// MULTIDEVICE.md §7 with HISTORY.md §2: a getObjects answer is one point in time. The Worker takes a chunked value
// in two calls to the store (the batch with the value's head, then its bytes); a write that lands between them is
// made to land there every time by a store namespace whose stubs run it just before `readBlob` — the real Worker and
// the real Durable Object, with the write interposed at that moment.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { DeviceClient } from "../support/multidevice";
import { SigsKey } from "../support/sigs";

const MiB = 1024 * 1024;
const big = (seed: number) => new Uint8Array(2 * MiB + 1).fill(seed);
const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The real store namespace; its stubs run `hook` (once) before the first readBlob any of them is asked for. An RPC
 * stub's methods are themselves stubs (`.bind` would be a remote call), so calls are forwarded by name.
 */
function interposed(hook: () => Promise<void>): DurableObjectNamespace {
  const real = (env as unknown as Env).VSS_STORE as unknown as DurableObjectNamespace;
  let pending: (() => Promise<void>) | null = hook;
  type Callable = Record<PropertyKey, (...args: unknown[]) => unknown>;
  const wrap = (stub: DurableObjectStub) =>
    new Proxy(stub, {
      get(target, property) {
        if (property !== "readBlob") return Reflect.get(target, property);
        return async (...args: unknown[]) => {
          const run = pending;
          pending = null;
          if (run) await run();
          return (target as unknown as Callable).readBlob?.(...args);
        };
      },
    });
  return {
    idFromName: (name: string) => real.idFromName(name),
    get: (id: DurableObjectId) => wrap(real.get(id)),
  } as unknown as DurableObjectNamespace;
}

/** A wallet with a chunked value `big` (version 1) and a small one, and a second device that overwrites `big` when told. */
async function setUp(storeId: string, vars: Partial<Env>) {
  const key = new SigsKey();
  const writer = new DeviceClient(storeId, key, { env: vars });
  expect((await writer.put([["big", 0, big(1)], ["small", 0, "s"]])).status).toBe(200);
  const overwrite = async () => expect((await writer.put([["big", 1, big(2)]])).status).toBe(200);
  const reader = new DeviceClient(storeId, key, { env: { ...vars, VSS_STORE: interposed(overwrite) } as unknown as Partial<Env> });
  return { writer, reader };
}

describe("getObjects while a write lands between its two calls to the store", () => {
  it("with past values off, the replaced value's bytes are gone: the key is handed back in remaining_keys, the answer stays at its head", async () => {
    const { writer, reader } = await setUp("window-off", { VSS_HISTORY_VALUES_DAYS: "0" } as Partial<Env>);
    const reply = await reader.getObjects(["big", "small"]);
    expect(reply.status).toBe(200);
    expect(reply.message?.values.map((kv) => [kv.key, kv.version])).toEqual([["small", 1n]]);
    expect(reply.message?.remainingKeys).toEqual(["big"]);
    expect(reply.headers?.get("vss-revision")).toBe("1"); // the batch's head, not the overwrite's
    const again = (await writer.getObjects(reply.message?.remainingKeys ?? [])).message;
    expect(again?.values.map((kv) => [kv.key, kv.version])).toEqual([["big", 2n]]);
    expect(same(again?.values[0]?.value, big(2))).toBe(true);
  });

  it("with past values kept, the bytes read are still those of the batch's head: version 1, whole", async () => {
    const { writer, reader } = await setUp("window-kept", {});
    const reply = await reader.getObjects(["big", "small"]);
    expect(reply.status).toBe(200);
    expect(reply.message?.values.map((kv) => [kv.key, kv.version])).toEqual([["big", 1n], ["small", 1n]]);
    expect(same(reply.message?.values[0]?.value, big(1))).toBe(true);
    expect(reply.message?.remainingKeys).toEqual([]);
    expect(reply.headers?.get("vss-revision")).toBe("1");
    expect((await writer.getObjects(["big"])).message?.values.map((kv) => kv.version)).toEqual([2n]); // the write did land
  });
});
