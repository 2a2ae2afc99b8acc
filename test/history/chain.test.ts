import { describe, expect, it } from "vitest";
import { deletedChange, genesis, headOf, hex, HistoryClient, nextDigest, recordDigest, written, ZEROS, type Change } from "../support/history-chain";

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

/**
 * HISTORY.md §3: each revision's digest, recomputed here from the spec (test/support/history-chain.ts, not the
 * server's code) from what the test itself wrote, must equal the head the write answered and getHistory's record.
 */
describe("the digest chain", () => {
  it("chains every kind of revision from the store-bound genesis, exactly as the spec's bytes say", async () => {
    const device = new HistoryClient("chain-\u{1F600}-store");
    const expected: { revision: bigint; changes: Change[]; globalVersion: bigint }[] = [];
    const write = async (reply: Promise<{ headers?: Headers; status: number }>, changes: Change[], globalVersion: number) => {
      const answer = await reply;
      expect(answer.status).toBe(200);
      expected.push({ revision: BigInt(expected.length + 1), changes, globalVersion: BigInt(globalVersion) });
      return headOf(answer as never);
    };
    // Keys whose UTF-16 order differs from their UTF-8 byte order (U+FF61 vs U+1F600), a prefix of another, the empty key.
    const big = bytes(3 * 1024 * 1024 + 3, 9);
    await write(device.put([["\uFF61", 0, "a"], ["\u{1F600}", 0, "b"], ["ab", 0, "c"], ["a", 0, "d"], ["", 0, "e"]], { globalVersion: 0 }), [written("\uFF61", 1, "a"), written("\u{1F600}", 1, "b"), written("ab", 1, "c"), written("a", 1, "d"), written("", 1, "e")], 1);
    await write(device.put([], { globalVersion: 1 }), [], 2); // only the global version: n = 0
    await write(device.put([["a", -1, "d"]]), [written("a", 1, "d")], 2); // the same bytes again at -1: a revision
    await write(device.put([["t", 0, "x"], ["t", 1, "y"]], { deletes: [["t", -1]] }), [deletedChange("t")], 2); // written then deleted: kind 2
    await write(device.put([["big", 0, big], ["e", 0, new Uint8Array(0)]]), [written("big", 1, big), written("e", 1, new Uint8Array(0))], 2);
    await write(device.delete("ab", 1), [deletedChange("ab")], 2);
    const noop = await device.delete("ab", -1); // removed nothing: no revision
    const { records, last } = await device.allRecords();
    expect(last.incarnation).toHaveLength(16);
    let digest = genesis(last.incarnation, device.storeId);
    expect(records.map((r) => r.revision)).toEqual(expected.map((e) => e.revision));
    for (const [i, want] of expected.entries()) {
      digest = nextDigest(digest, want.revision, want.globalVersion, want.changes);
      const record = records[i];
      expect(hex(record?.digest ?? ZEROS), `revision ${want.revision}`).toBe(hex(digest));
      expect(record?.globalVersion).toBe(want.globalVersion);
      expect(record?.changes.map((c) => c.key)).toEqual([...want.changes].sort((a, b) => (Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))).map((c) => c.key));
      expect(hex(recordDigest(i === 0 ? genesis(last.incarnation, device.storeId) : (records[i - 1]?.digest ?? ZEROS), record ?? records[0]!))).toBe(hex(digest));
    }
    expect(headOf(noop)).toEqual({ revision: BigInt(expected.length), digest: hex(digest) });
    expect(last).toMatchObject({ headRevision: BigInt(expected.length), oldestRevision: 1n });
    expect(hex(last.headDigest)).toBe(hex(digest));
    expect(hex(last.baseDigest)).toBe(hex(genesis(last.incarnation, device.storeId)));
  });

  it("binds the chain to its store: the same writes in two stores give different digests", async () => {
    const one = new HistoryClient("chain-one");
    const two = new HistoryClient("chain-two", one.key);
    const a = headOf(await one.put([["k", 0, "v"]]));
    const b = headOf(await two.put([["k", 0, "v"]]));
    expect(a.revision).toBe(b.revision);
    expect(a.digest).not.toBe(b.digest);
  });

  it("sends each notification with its revision's digest", async () => {
    const device = new HistoryClient("chain-watch");
    const watcher = await device.watch();
    await watcher.reach(0);
    expect(hex(watcher.notifications[0]?.digest.length ? watcher.notifications[0].digest : ZEROS)).toBe(hex(ZEROS));
    const head = headOf(await device.put([["k", 0, "v"]]));
    const note = await watcher.reach(1);
    expect(hex(note.digest)).toBe(head.digest);
    watcher.close();
  });
});
