// The four calls against the real Worker and Durable Object, end to end with real protobuf and real signatures.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { describe, expect, it } from "vitest";
import { AuthError, ConflictError, fixedHeaders, InvalidRequestError, NoSuchKeyError, sigsAuth, VssClient } from "../../src/index.js";
import { BASE, newClient, serverFetch, text, untext } from "./support.js";

describe("VssClient against the server", () => {
  it("puts, gets, updates, lists and deletes", async () => {
    const client = newClient();
    const storeId = "wallet";
    await client.putObjects({ storeId, transactionItems: [{ key: "a", version: 0n, value: text("one") }] });
    expect(await client.getObject({ storeId, key: "a" })).toMatchObject({ key: "a", version: 1n });
    expect(untext((await client.getObject({ storeId, key: "a" })).value)).toBe("one");

    await client.putObjects({ storeId, transactionItems: [{ key: "a", version: 1n, value: text("two") }, { key: "b", version: -1n, value: text("b") }] });
    const a = await client.getObject({ storeId, key: "a" });
    expect([a.version, untext(a.value)]).toEqual([2n, "two"]);

    const page = await client.listKeyVersions({ storeId });
    expect(page.keyVersions.map((kv) => [kv.key, kv.version])).toEqual([["b", 1n], ["a", 2n]]);
    expect(page.globalVersion).toBe(0n);
    expect(page.nextPageToken).toBe("");

    await client.deleteObject({ storeId, keyValue: { key: "a", version: -1n } });
    await expect(client.getObject({ storeId, key: "a" })).rejects.toBeInstanceOf(NoSuchKeyError);
    await client.deleteObject({ storeId, keyValue: { key: "a", version: -1n } });
  });

  it("carries the store-level global version and atomic deletes", async () => {
    const client = newClient();
    const storeId = "";
    await client.putObjects({ storeId, globalVersion: 0n, transactionItems: [{ key: "x", version: 0n, value: text("x") }] });
    await client.putObjects({ storeId, globalVersion: 1n, transactionItems: [{ key: "y", version: 0n }], deleteItems: [{ key: "x", version: 1n }] });
    expect((await client.getObject({ storeId, key: "global_version" })).version).toBe(2n);
    expect((await client.listKeyVersions({ storeId })).keyVersions.map((kv) => kv.key)).toEqual(["y"]);
    expect((await client.getObject({ storeId, key: "y" })).value.length).toBe(0);
  });

  it("maps ErrorResponse codes to typed errors with the HTTP status", async () => {
    const client = newClient();
    await client.putObjects({ storeId: "s", transactionItems: [{ key: "k", version: 0n, value: text("v") }] });

    const conflict = await client.putObjects({ storeId: "s", transactionItems: [{ key: "k", version: 0n }] }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({ kind: "conflict", status: 409 });

    const missing = await client.getObject({ storeId: "s", key: "nope" }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ kind: "no-such-key", status: 404 });

    const invalid = await client.getObject({ storeId: "x".repeat(121), key: "k" }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect(invalid).toMatchObject({ status: 400 });

    const badToken = await client.listKeyVersions({ storeId: "s", pageToken: "abc" }).catch((e: unknown) => e);
    expect(badToken).toBeInstanceOf(InvalidRequestError);
  });

  it("gets AuthError without credentials, with a forged signature and with a stale timestamp", async () => {
    const anonymous = newClient({ headerProvider: fixedHeaders() });
    await expect(anonymous.getObject({ storeId: "s", key: "k" })).rejects.toMatchObject({ kind: "auth", status: 401 });

    const key = secp256k1.utils.randomSecretKey();
    const honest = await sigsAuth(key).getHeaders(new Uint8Array());
    const forged = (honest.Authorization ?? "").replace(/^(.{66})(.)/, (_, pub: string, c: string) => pub + (c === "0" ? "1" : "0"));
    const forger = newClient({ headerProvider: fixedHeaders({ Authorization: forged }) });
    await expect(forger.getObject({ storeId: "s", key: "k" })).rejects.toBeInstanceOf(AuthError);

    const stale = newClient({ headerProvider: sigsAuth(key, { now: () => Date.now() - 3 * 86_400_000 }) });
    await expect(stale.getObject({ storeId: "s", key: "k" })).rejects.toBeInstanceOf(AuthError);
  });

  it("keeps identities apart: another key sees nothing of the same store id", async () => {
    const alice = newClient();
    const bob = newClient();
    await alice.putObjects({ storeId: "shared", transactionItems: [{ key: "k", version: -1n, value: text("alice") }] });
    await expect(bob.getObject({ storeId: "shared", key: "k" })).rejects.toBeInstanceOf(NoSuchKeyError);
  });

  it("joins the base URL by plain concatenation (a trailing slash still reaches the server)", async () => {
    const urls: string[] = [];
    const client = new VssClient(BASE + "/", {
      fetch: (input, init) => (urls.push(input), serverFetch(input, init)),
      headerProvider: sigsAuth(secp256k1.utils.randomSecretKey()),
    });
    await client.putObjects({ storeId: "s", transactionItems: [{ key: "k", version: -1n }] });
    expect(urls).toEqual([`${BASE}//putObjects`]);
  });
});
