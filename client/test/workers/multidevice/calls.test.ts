// The multi-device calls of VssClient against the real Worker and Durable Object (MULTIDEVICE.md §3–§7).
import { describe, expect, it } from "vitest";
import { ConflictError, getAllObjects, InvalidRequestError, isFenced, NO_RETRY, VssClient, changesSince } from "../../../src/index.js";
import { newClient, sameBytes, serverFetch, text, untext } from "../support.js";
import { controlledFetch, devicesOfOneWallet } from "./support.js";

const MIB = 1_048_576;

describe("lease calls", () => {
  it("acquires, shows, renews and releases a lease; a second acquire names the holder", async () => {
    const [phone, laptop] = devicesOfOneWallet(2);
    const storeId = "wallet";
    const lease = await phone!.acquireLease({ storeId, holder: "Alice's phone", ttlSeconds: 30 });
    expect(lease).toMatchObject({ epoch: 1n, holder: "Alice's phone" });
    expect(lease.token.length).toBeGreaterThanOrEqual(32);

    const shown = await laptop!.getLease({ storeId });
    expect(shown).toMatchObject({ epoch: 1n, holder: "Alice's phone", token: "" });
    const refused = await laptop!.acquireLease({ storeId, holder: "laptop", ttlSeconds: 30 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toMatch(/Alice's phone.*\d+ more seconds/);

    const renewed = await phone!.renewLease({ storeId, token: lease.token, ttlSeconds: 60 });
    expect(renewed).toMatchObject({ epoch: 1n, token: lease.token });
    expect(renewed.expiresAtMs).toBeGreaterThan(lease.expiresAtMs);

    await phone!.releaseLease({ storeId, token: lease.token });
    expect(await laptop!.getLease({ storeId })).toBeUndefined();
    await expect(phone!.renewLease({ storeId, token: lease.token, ttlSeconds: 30 })).rejects.toBeInstanceOf(ConflictError);
    expect((await laptop!.acquireLease({ storeId, holder: "laptop", ttlSeconds: 30 })).epoch).toBe(2n);
  });

  it("rejects a holder or TTL out of range as InvalidRequestError", async () => {
    const client = newClient();
    await expect(client.acquireLease({ storeId: "s", holder: "", ttlSeconds: 30 })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(client.acquireLease({ storeId: "s", holder: "h", ttlSeconds: 4 })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it("sends vss-lease per call: the holder's writes pass, a write without it or with a dead token is fenced", async () => {
    const [phone, laptop] = devicesOfOneWallet(2);
    const storeId = "fenced";
    const lease = await phone!.acquireLease({ storeId, holder: "phone", ttlSeconds: 30 });
    const headers = { "vss-lease": lease.token };
    await phone!.putObjects({ storeId, transactionItems: [{ key: "k", version: 0n, value: text("1") }] }, { headers });
    await phone!.deleteObject({ storeId, keyValue: { key: "k", version: -1n } }, { headers });

    const unfenced = await laptop!.putObjects({ storeId, transactionItems: [{ key: "k", version: -1n }] }).catch((error: unknown) => error);
    expect(unfenced).toBeInstanceOf(ConflictError);
    expect(isFenced(unfenced)).toBe(true);

    await laptop!.acquireLease({ storeId, holder: "laptop", ttlSeconds: 30, force: true });
    const stale = await phone!.putObjects({ storeId, transactionItems: [{ key: "k", version: -1n }] }, { headers }).catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as Error).message).toMatch(/^fenced:/);
    expect(isFenced(new ConflictError("version mismatch"))).toBe(false);
  });
});

describe("listChanges and changesSince", () => {
  it("pages through the feed in revision order and says where to continue", async () => {
    const client = newClient();
    const storeId = "feed";
    for (let i = 0; i < 5; i++) await client.putObjects({ storeId, transactionItems: [{ key: `k${i}`, version: 0n, value: text(String(i)) }] });
    await client.deleteObject({ storeId, keyValue: { key: "k1", version: -1n } });

    const pages = [];
    for await (const page of changesSince(client, storeId, 0n, { pageSize: 2 })) pages.push(page);
    // k0..k4 were written at revisions 1–5; deleting k1 (revision 6) makes k1's last change revision 6.
    expect(pages.map((page) => page.changes.map((c) => c.revision))).toEqual([[1n, 3n], [4n, 5n], [6n]]);
    expect(pages.at(-1)?.revision).toBe(6n);
    const all = pages.flatMap((page) => page.changes);
    expect(all.find((c) => c.key === "k1")).toMatchObject({ deleted: true, version: 0n, revision: 6n });
    expect(all.map((c) => c.key)).toEqual(["k0", "k2", "k3", "k4", "k1"]);
  });

  it("reports a reset when asked from beyond the store's revision", async () => {
    const client = newClient();
    await client.putObjects({ storeId: "r", transactionItems: [{ key: "a", version: 0n }] });
    const page = await client.listChanges({ storeId: "r", sinceRevision: 50n });
    expect(page).toMatchObject({ reset: true, revision: 1n, changes: [] });
  });
});

describe("getObjects and getAllObjects", () => {
  it("reads many keys in request order with the missing ones named", async () => {
    const client = newClient();
    const storeId = "batch";
    await client.putObjects({ storeId, transactionItems: [{ key: "b", version: 0n, value: text("B") }, { key: "a", version: 0n, value: text("A") }] });
    const response = await client.getObjects({ storeId, keys: ["b", "nope", "a"] });
    expect(response.values.map((kv) => [kv.key, untext(kv.value)])).toEqual([["b", "B"], ["a", "A"]]);
    expect(response.missingKeys).toEqual(["nope"]);
    await expect(client.getObjects({ storeId, keys: [] })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it("batches more than 100 keys and follows remaining_keys past the 16 MiB budget", async () => {
    const counted = controlledFetch(serverFetch);
    const client = newClient({ fetch: counted.fetch });
    const storeId = "big";
    const big = (seed: number) => new Uint8Array(6 * MIB).map((_, i) => (i * seed) % 251);
    for (const seed of [3, 5, 7]) await client.putObjects({ storeId, transactionItems: [{ key: `big${seed}`, version: 0n, value: big(seed) }] });
    const smallKeys = Array.from({ length: 150 }, (_, i) => `s${i}`);
    for (let i = 0; i < smallKeys.length; i += 50) {
      await client.putObjects({ storeId, transactionItems: smallKeys.slice(i, i + 50).map((key) => ({ key, version: 0n, value: text(key) })) });
    }
    const before = counted.count("/getObjects");
    const keys = ["big3", "big5", "big7", "big3", ...smallKeys, "absent"];
    const { values, missingKeys } = await getAllObjects(client, storeId, keys);
    // 100 distinct keys with 3 × 6 MiB → one answer stops at 12 MiB and the rest is asked again; then 54 more keys.
    expect(counted.count("/getObjects") - before).toBe(3);
    expect(values.map((kv) => kv.key)).toEqual(["big3", "big5", "big7", ...smallKeys]);
    expect(sameBytes(values[2]!.value, big(7))).toBe(true);
    expect(missingKeys).toEqual(["absent"]);
  });
});

describe("watchTicket and extensions", () => {
  it("issues a ticket and announces the extension without credentials", async () => {
    const client = newClient();
    const ticket = await client.watchTicket({ storeId: "w" });
    expect(ticket.ticket.length).toBeGreaterThan(10);
    expect(ticket.expiresAtMs).toBeGreaterThan(BigInt(Date.now() - 60_000));
    const anonymous = new VssClient("http://vss.test/vss", { fetch: serverFetch, retryPolicy: NO_RETRY });
    expect(await anonymous.extensions()).toEqual({ lease: 1, changes: 1, watch: 1, getObjects: 1, history: 1 });
  });

  it("reads a server without extensions (404) as none", async () => {
    const notFound = async () => new Response("not found", { status: 404 });
    expect(await new VssClient("http://old.test/vss", { fetch: notFound, retryPolicy: NO_RETRY }).extensions()).toEqual({});
  });
});
