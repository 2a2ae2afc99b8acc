// HISTORY.md §6, "To audit values": a value read at head (R, D) must hash to the value_sha256 of its key's last change
// at or before R in a verified chain. A proxy that alters values stands in for a server serving other bytes.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { bytesToHex, randomBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import {
  auditStore,
  GetObjectResponseSchema,
  GetObjectsResponseSchema,
  NoSuchKeyError,
  sigsAuth,
  syncStore,
  ValueAuditError,
  verifyHistory,
  verifying,
  type FetchFunction,
  type KeyValue,
} from "../../../src/index.js";
import { deriveLdkNodeSecrets, LdkNodeKvStore } from "../../../src/ldk/index.js";
import { newClient, serverFetch, text, untext } from "../support.js";
import { inProcessWebSocket } from "../multidevice/support.js";
import { Wallet } from "./support.js";

/** A fetch that, once `on`, flips the first byte of every value getObject and getObjects answer (headers untouched). */
function tampering(inner: FetchFunction = serverFetch) {
  const state = { on: false };
  const flip = (kv: KeyValue) => kv.value.length > 0 && (kv.value[0] = (kv.value[0] as number) ^ 0xff);
  const fetch: FetchFunction = async (input, init) => {
    const response = await inner(input, init);
    const operation = new URL(input).pathname;
    if (!state.on || response.status !== 200 || !/\/getObjects?$/.test(operation)) return response;
    const bytes = new Uint8Array(await response.arrayBuffer());
    let body: Uint8Array;
    if (operation.endsWith("/getObject")) {
      const message = fromBinary(GetObjectResponseSchema, bytes);
      if (message.value) flip(message.value);
      body = toBinary(GetObjectResponseSchema, message);
    } else {
      const message = fromBinary(GetObjectsResponseSchema, bytes);
      message.values.forEach(flip);
      body = toBinary(GetObjectsResponseSchema, message);
    }
    return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: response.headers });
  };
  return { fetch, state };
}

describe("value audits", () => {
  it("verifyHistory recomputes from the genesis; auditStore finds every current value as the chain recorded it, or not", async () => {
    const wallet = new Wallet();
    const writer = wallet.client();
    const storeId = "audited";
    await writer.putObjects({ storeId, transactionItems: [{ key: "a", version: 0n, value: text("1") }, { key: "b", version: 0n, value: text("2") }, { key: "c", version: 0n, value: text("3") }] });
    await writer.putObjects({ storeId, transactionItems: [{ key: "a", version: 1n, value: text("1'") }], deleteItems: [{ key: "c", version: 1n }] });
    const first = (await writer.getHistory({ storeId, afterRevision: 0n })).revisions[0]?.digest ?? new Uint8Array(0);
    const report = await verifyHistory(writer, storeId, { from: { revision: 1n, digest: bytesToHex(first) } });
    expect(report).toMatchObject({ recomputed: 2, base: { genesis: true }, gaps: [], replayed: [] });
    expect(report.chain.complete).toBe(true);
    expect(await auditStore(writer, storeId, report.chain)).toEqual({ revision: 2n, matched: 2, unknown: [], mismatched: [] });

    const proxy = tampering();
    proxy.state.on = true;
    const audit = await auditStore(wallet.client({ fetch: proxy.fetch }), storeId, report.chain);
    expect(audit?.mismatched.map((m) => m.key).sort()).toEqual(["a", "b"]);
    expect(audit?.mismatched[0]?.detail).toMatch(/SHA-256/);
    await writer.putObjects({ storeId, transactionItems: [{ key: "d", version: 0n, value: text("4") }] });
    expect(await auditStore(writer, storeId, report.chain)).toBeUndefined(); // the store moved on: verify again first
  });

  it("a verifying client with audit refuses a value that is not the chain's (and first follows the chain from its genesis)", async () => {
    const wallet = new Wallet();
    const storeId = "audit-reads";
    await wallet.client().putObjects({ storeId, transactionItems: [{ key: "old", version: 0n, value: text("from before") }] });
    await wallet.client().putObjects({ storeId, transactionItems: [{ key: "new", version: 0n, value: text("fresh") }] });
    const proxy = tampering();
    const { client } = wallet.verifying({ audit: true }, { fetch: proxy.fetch });
    expect(untext((await client.getObject({ storeId, key: "old" })).value)).toBe("from before"); // revision 1, learned by following the chain
    await expect(client.getObject({ storeId, key: "missing" })).rejects.toBeInstanceOf(NoSuchKeyError); // absent, as the chain says
    proxy.state.on = true;
    const refused = await client.getObject({ storeId, key: "old" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValueAuditError);
    expect(refused).toMatchObject({ kind: "audit", key: "old", revision: 2n });
    const batch = await client.getObjects({ storeId, keys: ["new"] }).catch((error: unknown) => error);
    expect(batch).toBeInstanceOf(ValueAuditError);
    proxy.state.on = false;
    const unaudited = wallet.verifying({}, { fetch: proxy.fetch });
    proxy.state.on = true;
    expect(untext((await unaudited.client.getObject({ storeId, key: "old" })).value)).not.toBe("from before"); // audits are off by default
    await expect(unaudited.client.getObject({ storeId, key: "old" }, { audit: true })).rejects.toBeInstanceOf(ValueAuditError);
    await expect(newClient().getObject({ storeId, key: "old" }, { audit: true })).rejects.toThrow(/verifying client/);
  });

  it("syncStore with audit checks every value it delivers", async () => {
    const wallet = new Wallet();
    const storeId = "audit-sync";
    await wallet.client().putObjects({ storeId, transactionItems: [{ key: "k1", version: 0n, value: text("v1") }, { key: "k2", version: 0n, value: text("v2") }] });
    const proxy = tampering();
    const { client } = wallet.verifying({}, { fetch: proxy.fetch });
    const { WebSocket } = inProcessWebSocket();
    const stop = new AbortController();
    const first = await syncStore(client, { storeId, WebSocket, signal: stop.signal, audit: true }).next();
    expect(first.value?.values.map((kv) => untext(kv.value)).sort()).toEqual(["v1", "v2"]);
    proxy.state.on = true;
    const sync = syncStore(client, { storeId, WebSocket, signal: stop.signal, audit: true });
    await expect(sync.next()).rejects.toBeInstanceOf(ValueAuditError);
    stop.abort();
  });

  it("an LdkNodeKvStore opened with audit checks what it reads", async () => {
    const seed = randomBytes(64);
    const proxy = tampering();
    const client = newClient({ fetch: proxy.fetch, headerProvider: sigsAuth(deriveLdkNodeSecrets(seed).signingKey), verify: verifying() });
    const store = await LdkNodeKvStore.open({ client, storeId: "ldk-audit", seed, audit: true });
    await store.write("monitors", "", "chan1", text("monitor bytes"));
    expect(untext(await store.read("monitors", "", "chan1"))).toBe("monitor bytes");
    proxy.state.on = true;
    await expect(store.read("monitors", "", "chan1")).rejects.toBeInstanceOf(ValueAuditError);
  });
});
