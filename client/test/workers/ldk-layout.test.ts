// A store written in ldk-node's layout can be listed and decrypted back from the seed alone.
import { randomBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { KeyObfuscator, NoSuchKeyError, listAllKeyVersions, sigsAuth } from "../../src/index.js";
import { LdkNodeKvStore, deriveLdkNodeSecrets, schemaMarkerKey } from "../../src/ldk/index.js";
import { newClient, text, untext } from "./support.js";

/** A client authenticated the way ldk-node authenticates: sigs with the key at m/877'/139'. */
function walletClient(seed: Uint8Array) {
  return newClient({ headerProvider: sigsAuth(deriveLdkNodeSecrets(seed).signingKey) });
}

describe("ldk-node key-value layout", () => {
  it("writes, lists, reads and removes; a second instance from the seed alone reads it all back", async () => {
    const seed = randomBytes(64);
    const storeId = "ldk_node_data";
    const store = await LdkNodeKvStore.open({ client: walletClient(seed), storeId, seed });
    expect(store.schemaVersion).toBe(1);

    const monitors = Array.from({ length: 60 }, (_, i) => `funding_txo_${i}`);
    await Promise.all(monitors.map((key, i) => store.write("monitors", "", key, text(`monitor ${i}`))));
    await store.write("", "", "manager", text("channel manager"));
    await store.write("payments", "", "p1", text("payment one"));
    await store.write("payments", "", "p1", text("payment one, updated"));
    await store.remove("payments", "", "p1");
    await store.write("payments", "", "p2", text("payment two"));

    const reopened = await LdkNodeKvStore.open({ client: walletClient(seed), storeId, seed });
    expect(reopened.schemaVersion).toBe(1);
    expect((await reopened.list("monitors", "")).sort()).toEqual([...monitors].sort());
    expect(await reopened.list("payments", "")).toEqual(["p2"]);
    expect((await reopened.list("", "")).sort()).toEqual(["manager", "vss_schema_version"]);
    expect(untext(await reopened.read("monitors", "", "funding_txo_42"))).toBe("monitor 42");
    expect(untext(await reopened.read("", "", "manager"))).toBe("channel manager");
    await expect(reopened.read("payments", "", "p1")).rejects.toBeInstanceOf(NoSuchKeyError);
  });

  it("the server sees only obfuscated keys and opaque values bound to their key", async () => {
    const seed = randomBytes(64);
    const client = walletClient(seed);
    const store = await LdkNodeKvStore.open({ client, storeId: "s", seed });
    await store.write("payments", "", "secret_payment", text("preimage"));

    const { keys } = await listAllKeyVersions(client, { storeId: "s" });
    const obfuscator = new KeyObfuscator(deriveLdkNodeSecrets(seed).obfuscationMasterKey);
    expect(keys.map((kv) => kv.key).sort()).toEqual(
      [schemaMarkerKey(obfuscator), `${obfuscator.obfuscate("payments#")}#${obfuscator.obfuscate("secret_payment")}`].sort(),
    );
    for (const { key } of keys) expect(key).not.toMatch(/payment|vss_schema/);

    // The ciphertext is bound to its key: moved under another key, it no longer opens.
    const stored = await client.getObject({ storeId: "s", key: store.layout.storeKey("payments", "", "secret_payment") });
    const elsewhere = store.layout.storeKey("payments", "", "other");
    await client.putObjects({ storeId: "s", transactionItems: [{ key: elsewhere, version: -1n, value: stored.value }] });
    await expect(store.read("payments", "", "other")).rejects.toThrow(/tag does not match/);
  });

  it("another seed cannot read the store, and a V0 store is recognised without writing a marker", async () => {
    const seed = randomBytes(64);
    const client = walletClient(seed);
    await client.putObjects({ storeId: "old", transactionItems: [{ key: "bdk_wallet#descriptor#xyz", version: -1n, value: text("v0 data") }] });
    const old = await LdkNodeKvStore.open({ client, storeId: "old", seed });
    expect(old.schemaVersion).toBe(0);
    const { keys } = await listAllKeyVersions(client, { storeId: "old" });
    expect(keys.map((kv) => kv.key)).toEqual(["bdk_wallet#descriptor#xyz"]);

    await old.write("bdk_wallet", "", "k", text("v0 value"));
    expect(await old.list("bdk_wallet", "")).toEqual(["k"]);
    expect(untext(await old.read("bdk_wallet", "", "k"))).toBe("v0 value");

    const fresh = await LdkNodeKvStore.open({ client, storeId: "fresh", seed, readOnly: true });
    expect(fresh.schemaVersion).toBe(1);
    expect((await listAllKeyVersions(client, { storeId: "fresh" })).keys).toHaveLength(0);
  });
});
