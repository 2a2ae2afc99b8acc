// The verifying mode of VssClient (HISTORY.md §6) against the real Worker: checkpoints raised only with proof.
import { describe, expect, it } from "vitest";
import { StorageCheckpointStore, verifyHistory, type Checkpoint } from "../../../src/index.js";
import { countingFetch, text, untext } from "../support.js";
import { Wallet } from "./support.js";

const historyCalls = (calls: string[]) => calls.filter((url) => url.endsWith("/getHistory")).length;

describe("a verifying client", () => {
  it("accepts a normal sequence, raises its checkpoint with each write, and proves its own writes without asking", async () => {
    const wallet = new Wallet();
    const fetch = countingFetch();
    const { client, checkpoint } = wallet.verifying({}, { fetch });
    const storeId = "normal";
    await client.putObjects({ storeId, transactionItems: [{ key: "a", version: 0n, value: text("1") }, { key: "\u{1F600}", version: 0n, value: text("x") }] });
    expect(historyCalls(fetch.calls)).toBe(1); // the first head: its incarnation and global version, once
    await client.putObjects({ storeId, transactionItems: [{ key: "a", version: 1n, value: text("2") }], globalVersion: 0n });
    await client.putObjects({ storeId, transactionItems: [{ key: "\uFF61", version: -1n, value: new Uint8Array(0) }], deleteItems: [{ key: "\u{1F600}", version: -1n }] });
    await client.putObjects({ storeId, transactionItems: [], globalVersion: 1n });
    await client.deleteObject({ storeId, keyValue: { key: "a", version: -1n } });
    await client.deleteObject({ storeId, keyValue: { key: "a", version: -1n } }); // removed nothing: no revision
    expect(untext((await client.getObject({ storeId, key: "\uFF61" })).value)).toBe("");
    await client.listKeyVersions({ storeId });
    expect(historyCalls(fetch.calls)).toBe(1);
    const stored = (await checkpoint(storeId)) as Checkpoint;
    expect(stored).toMatchObject({ revision: 5n, globalVersion: 2n });
    expect(stored.incarnation).toMatch(/^[0-9a-f]{32}$/);
    const report = await verifyHistory(wallet.client(), storeId);
    expect(report.head).toEqual({ revision: 5n, digest: stored.digest });
    expect(report.incarnation).toBe(stored.incarnation);
  });

  it("proves another device's revisions with getHistory, across pages of revisions and a revision resumed after its last key", async () => {
    const wallet = new Wallet();
    const fetch = countingFetch();
    const { client, checkpoint } = wallet.verifying({}, { fetch });
    const other = wallet.client();
    const storeId = "paged";
    await client.putObjects({ storeId, transactionItems: [{ key: "mine", version: 0n, value: text("m") }] });
    // 11 000 changes in 11 revisions: the first page stops inside the last one (10 000 changes a page).
    for (let r = 0; r < 11; r++) {
      const transactionItems = Array.from({ length: 1000 }, (_, i) => ({ key: `k${r}-${String(i).padStart(4, "0")}`, version: -1n, value: text(`${r}.${i}`) }));
      await other.putObjects({ storeId, transactionItems });
    }
    for (let r = 0; r < 110; r++) await other.putObjects({ storeId, transactionItems: [{ key: "tick", version: -1n, value: text(String(r)) }] });
    const before = historyCalls(fetch.calls);
    expect(untext((await client.getObject({ storeId, key: "tick" })).value)).toBe("109");
    expect(historyCalls(fetch.calls) - before).toBeGreaterThanOrEqual(3); // resumed revision, then a second page of revisions
    expect((await checkpoint(storeId))?.revision).toBe(122n);
    const report = await verifyHistory(wallet.client(), storeId);
    expect((await checkpoint(storeId))?.digest).toBe(report.head.digest);
  });

  it("checks concurrent calls one at a time: answers served before a raise are accepted if they lie on the chain", async () => {
    const wallet = new Wallet();
    const { client, checkpoint } = wallet.verifying();
    const storeId = "concurrent";
    await client.putObjects({ storeId, transactionItems: [{ key: "seed", version: 0n, value: text("s") }] });
    const calls = Array.from({ length: 24 }, (_, i) =>
      i % 3 === 0
        ? client.getObject({ storeId, key: "seed" })
        : client.putObjects({ storeId, transactionItems: [{ key: `k${i}`, version: 0n, value: text(String(i)) }] }),
    );
    await Promise.all(calls);
    const report = await verifyHistory(wallet.client(), storeId);
    expect(report.head.revision).toBe(17n);
    expect(await checkpoint(storeId)).toMatchObject({ revision: 17n, digest: report.head.digest });
  });

  it("keeps its checkpoint in any getItem/setItem storage, and a new client picks it up", async () => {
    const wallet = new Wallet();
    const items = new Map<string, string>();
    const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
    const first = wallet.verifying({ checkpoints: new StorageCheckpointStore(storage), identity: wallet.identity });
    await first.client.putObjects({ storeId: "kept", transactionItems: [{ key: "k", version: 0n, value: text("1") }] });
    await first.client.putObjects({ storeId: "kept", transactionItems: [{ key: "k", version: 1n, value: text("2") }] });
    expect([...items.keys()]).toEqual([`vss-checkpoint:${JSON.stringify(["http://vss.test/vss", wallet.identity, "kept"])}`]);
    expect(JSON.parse([...items.values()][0] ?? "{}")).toMatchObject({ revision: "2", globalVersion: "0" });
    const fetch = countingFetch();
    const second = wallet.verifying({ checkpoints: new StorageCheckpointStore(storage), identity: wallet.identity }, { fetch });
    await wallet.client().putObjects({ storeId: "kept", transactionItems: [{ key: "k", version: 2n, value: text("3") }] });
    expect(untext((await second.client.getObject({ storeId: "kept", key: "k" })).value)).toBe("3");
    expect(historyCalls(fetch.calls)).toBe(1); // proved 2 → 3 from the stored checkpoint
    expect(JSON.parse([...items.values()][0] ?? "{}")).toMatchObject({ revision: "3" });
    items.set([...items.keys()][0] ?? "", "{\"revision\":\"x\"}");
    await expect(second.client.getObject({ storeId: "kept", key: "k" })).rejects.toThrow(/damaged/);
  });
});
