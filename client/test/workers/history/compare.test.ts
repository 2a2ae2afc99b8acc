// HISTORY.md §6, "Devices compare": the lease holder publishes the head it verified, sealed like any value; another
// device checks it against the chain it verified. A server that shows each device its own branch passes every
// answer's check on both devices, and is caught only here.
import { describe, expect, it } from "vitest";
import { compareHeads, ForkError, isFenced, PUBLISHED_HEAD_KEY, publishHead, RollbackError, StorableBuilder, StorableError, type VssClient } from "../../../src/index.js";
import { text, untext } from "../support.js";
import { restoreRows, snapshotRows, Wallet } from "./support.js";

const write = (client: VssClient, storeId: string, key: string, value: string) => client.putObjects({ storeId, transactionItems: [{ key, version: -1n, value: text(value) }] });
const refusal = (call: Promise<unknown>) => call.then(() => undefined, (error: unknown) => error);
const dataKey = () => crypto.getRandomValues(new Uint8Array(32));

describe("devices compare heads", () => {
  it("the lease holder publishes its proven head under its lease; another device finds it on its own chain", async () => {
    const wallet = new Wallet();
    const sealer = new StorableBuilder(dataKey());
    const phone = wallet.verifying().client;
    const laptop = wallet.verifying().client;
    const storeId = "agree";
    const lease = await phone.acquireLease({ storeId, holder: "phone", ttlSeconds: 60 });
    const headers = { "vss-lease": lease.token };
    for (let i = 1; i <= 5; i++) await phone.putObjects({ storeId, transactionItems: [{ key: `k${i}`, version: -1n, value: text(`v${i}`) }] }, { headers });
    expect(await compareHeads(laptop, storeId, { sealer })).toMatchObject({ status: "unpublished", head: { revision: 5n } });

    expect(isFenced(await refusal(publishHead(phone, storeId, { sealer, device: "phone" })))).toBe(true); // a write like any other
    const published = await publishHead(phone, storeId, { sealer, device: "phone", headers, now: () => 1_700_000_000_000 });
    expect(published).toMatchObject({ revision: 5n, device: "phone", publishedAtMs: 1_700_000_000_000 });
    expect(phone.verifier?.chain(storeId)?.revision).toBe(6n); // its own write of the record, proven as any
    expect(untext((await laptop.getObject({ storeId, key: "k5" })).value)).toBe("v5");

    // The laptop's checkpoint is at 6 (its own reads), it remembers 5 from proving it: compared by memory.
    const compared = await compareHeads(laptop, storeId, { sealer });
    expect(compared).toMatchObject({ status: "agrees", published: { revision: 5n, digest: published.digest, incarnation: published.incarnation, device: "phone" }, head: { revision: 6n } });

    // A device that has never seen the store (trust on first use at 8): revision 5 is proven by recomputing 6..8.
    await phone.putObjects({ storeId, transactionItems: [{ key: "k6", version: -1n, value: text("v6") }] }, { headers });
    await phone.putObjects({ storeId, transactionItems: [{ key: "k7", version: -1n, value: text("v7") }] }, { headers });
    const fresh = wallet.verifying().client;
    expect(await compareHeads(fresh, storeId, { sealer })).toMatchObject({ status: "agrees", published: { revision: 5n }, head: { revision: 8n } });

    // Sealed with another key (or by someone without the wallet's key): the sealer's own error, never "agrees".
    expect(await refusal(compareHeads(fresh, storeId, { sealer: new StorableBuilder(dataKey()) }))).toBeInstanceOf(StorableError);
    // Moved to another key: the key is bound into the seal.
    const sealed = (await phone.getObject({ storeId, key: PUBLISHED_HEAD_KEY })).value;
    await phone.putObjects({ storeId, transactionItems: [{ key: "elsewhere", version: -1n, value: sealed }] }, { headers });
    expect(await refusal(compareHeads(fresh, storeId, { sealer, key: "elsewhere" }))).toBeInstanceOf(StorableError);
  });

  it("a server showing each device its own branch: every answer passes, comparing the heads is a ForkError", async () => {
    const wallet = new Wallet();
    const sealer = new StorableBuilder(dataKey());
    const phone = wallet.verifying().client;
    const laptop = wallet.verifying().client;
    const storeId = "fork";
    await write(phone, storeId, "channel", "state 1");
    expect(untext((await laptop.getObject({ storeId, key: "channel" })).value)).toBe("state 1"); // the laptop proves revision 1
    const branchPoint = await snapshotRows(wallet.store(storeId));

    // The phone's branch: state 2 at revision 2, its head published at revision 3.
    await write(phone, storeId, "channel", "state 2");
    const published = await publishHead(phone, storeId, { sealer, device: "phone" });
    expect(published.revision).toBe(2n);
    const sealed = (await wallet.client().getObject({ storeId, key: PUBLISHED_HEAD_KEY })).value;

    // The laptop's branch, from the same revision 1: another state 2, and the phone's sealed record carried over.
    await restoreRows(wallet.store(storeId), branchPoint);
    await write(wallet.client(), storeId, "channel", "state 2'");
    await wallet.client().putObjects({ storeId, transactionItems: [{ key: PUBLISHED_HEAD_KEY, version: -1n, value: sealed }] });

    // Every answer the laptop gets is a consistent chain from what it proved: nothing else can tell.
    expect(untext((await laptop.getObject({ storeId, key: "channel" })).value)).toBe("state 2'");
    const fork = await refusal(compareHeads(laptop, storeId, { sealer }));
    expect(fork).toBeInstanceOf(ForkError);
    expect(fork).toMatchObject({ storeId, answered: { revision: 2n, digest: published.digest }, checkpoint: { revision: 3n } });
    expect((fork as Error).message).toContain('"phone" verified revision 2');
    // A device seeing the store for the first time finds the same by recomputing from the published digest.
    expect(await refusal(compareHeads(wallet.verifying().client, storeId, { sealer }))).toBeInstanceOf(ForkError);
  });

  it("a published head newer than what the server shows this device is a RollbackError", async () => {
    const wallet = new Wallet();
    const sealer = new StorableBuilder(dataKey());
    const phone = wallet.verifying().client;
    const storeId = "behind";
    await write(phone, storeId, "channel", "state 1");
    const old = await snapshotRows(wallet.store(storeId));
    for (let i = 2; i <= 5; i++) await write(phone, storeId, "channel", `state ${i}`);
    expect((await publishHead(phone, storeId, { sealer })).revision).toBe(5n);
    const sealed = (await wallet.client().getObject({ storeId, key: PUBLISHED_HEAD_KEY })).value;
    await restoreRows(wallet.store(storeId), old);
    await wallet.client().putObjects({ storeId, transactionItems: [{ key: PUBLISHED_HEAD_KEY, version: -1n, value: sealed }] });

    const laptop = wallet.verifying().client; // first sight of the store: revision 2, state 1
    const rollback = await refusal(compareHeads(laptop, storeId, { sealer }));
    expect(rollback).toBeInstanceOf(RollbackError);
    expect(rollback).toMatchObject({ checkpoint: { revision: 5n }, answered: { revision: 2n } });
  });

  it("needs a verifying client", async () => {
    const wallet = new Wallet();
    const sealer = new StorableBuilder(dataKey());
    await expect(publishHead(wallet.client(), "s", { sealer })).rejects.toThrow(TypeError);
    await expect(compareHeads(wallet.client(), "s", { sealer })).rejects.toThrow(TypeError);
  });
});
