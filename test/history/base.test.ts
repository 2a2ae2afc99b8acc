import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { baseDigest, genesis, headOf, hex, HistoryClient, nextDigest, written, ZEROS } from "../support/history-chain";
import { restart, storeStub } from "../support/stores";

/** What a store migrated to schema 0006 but never touched by history looks like: no chain, no records. Restarts it. */
async function forgetHistory(device: HistoryClient): Promise<void> {
  await runInDurableObject(storeStub(device), (_o, state) => {
    const sql = state.storage.sql;
    sql.exec("UPDATE store_meta SET incarnation = NULL, head_digest = NULL, history_base_digest = NULL, history_oldest = 1, history_bytes = 0");
    sql.exec("DELETE FROM revisions");
    sql.exec("DELETE FROM revision_changes");
    sql.exec("DELETE FROM history_versions");
    sql.exec("UPDATE objects SET value_sha256 = NULL");
  });
  await restart(device);
}

const big = Uint8Array.from({ length: 2 * 1024 * 1024 + 5 }, (_, i) => (i * 3) & 0xff);

/** HISTORY.md §3, "Stores that exist before this extension": the chain starts from the live state. */
describe("a store written before history", () => {
  it("is given an incarnation and a base digest over its live keys the first time it is read; records begin after it", async () => {
    const device = new HistoryClient("older-than-history");
    await device.put([["b", 0, "2"], ["a", 0, "1"], ["big", 0, big]], { globalVersion: 0 });
    await device.put([["a", 1, "1!"]]);
    await device.delete("b", 1);
    // Revision 3, no chain.
    await forgetHistory(device);
    const head = headOf(await device.get("a"));
    expect(head.revision).toBe(3n);
    const page = (await device.history(0)).message;
    const incarnation = page?.incarnation ?? ZEROS;
    expect(incarnation).toHaveLength(16);
    const expected = baseDigest(genesis(incarnation, device.storeId), 3n, 1n, [written("a", 2, "1!"), written("big", 1, big)]);
    expect(head.digest).toBe(hex(expected));
    expect(page).toMatchObject({ headRevision: 3n, oldestRevision: 4n, revisions: [] });
    expect(hex(page?.baseDigest ?? ZEROS)).toBe(hex(expected));
    // The next write chains from the base.
    const next = headOf(await device.put([["c", 0, "3"]]));
    expect(next).toEqual({ revision: 4n, digest: hex(nextDigest(expected, 4n, 1n, [written("c", 1, "3")])) });
    expect((await device.history(0)).message?.revisions.map((r) => r.revision)).toEqual([4n]);
  });

  it("watched before anything else names it, its first notification already carries the base digest", async () => {
    const device = new HistoryClient("older-than-history-watched");
    await device.put([["a", 0, "1"]]);
    await device.put([["a", 1, "2"]]);
    await forgetHistory(device);
    const watcher = await device.watch();
    const first = await watcher.reach(2n);
    const head = headOf(await device.get("a"));
    expect({ revision: first.revision, digest: hex(first.digest) }).toEqual(head);
    expect(hex(first.digest)).not.toBe(hex(ZEROS));
    watcher.socket.close();
  });
});
