import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { genesis, hex, HistoryClient, recordDigest, ZEROS } from "../support/history-chain";
import { expectError } from "../support/vss";

/** HISTORY.md §4, getHistory: pages, their caps, resuming a revision too large for one page. */
describe("getHistory", () => {
  it("pages revisions ascending, at most page_size (capped at 100), and refuses bad arguments", async () => {
    const device = new HistoryClient("history-pages");
    for (let i = 0; i < 105; i++) expect((await device.put([[`k${i % 7}`, -1, `v${i}`]])).status).toBe(200);
    const first = (await device.history(0)).message;
    expect(first?.revisions.map((r) => r.revision)).toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i + 1)));
    expect((await device.history(0, 500)).message?.revisions).toHaveLength(100);
    expect((await device.history(10, 3)).message?.revisions.map((r) => r.revision)).toEqual([11n, 12n, 13n]);
    expect((await device.history(100)).message?.revisions.map((r) => r.revision)).toEqual([101n, 102n, 103n, 104n, 105n]);
    expect((await device.history(105)).message?.revisions).toEqual([]);
    expect((await device.history(999)).message).toMatchObject({ revisions: [], headRevision: 105n });
    expectError(await device.history(-1), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await device.history(0, 0), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    for (const record of first?.revisions ?? []) {
      expect(record.committedAtMs).toBeGreaterThan(Date.now() - 600_000);
      expect(record.changesPruned).toBe(false);
    }
  });

  it("caps a page at 10 000 changes: a larger revision is resumed after the last key received, its digest repeated", async () => {
    const device = new HistoryClient("history-big");
    const keys = Array.from({ length: 6000 }, (_, i) => `key-${String(i).padStart(5, "0")}`);
    for (let at = 0; at < keys.length; at += 1000) {
      expect((await device.put(keys.slice(at, at + 1000).map((k): [string, number, string] => [k, 0, k]))).status).toBe(200);
    }
    // Revision 7 rewrites 1000 of them; revisions 1–6 hold 6000 changes, 7 holds 1000: 7000 in all, one page.
    expect((await device.put(keys.slice(0, 1000).map((k): [string, number, string] => [k, 1, `${k}!`]))).status).toBe(200);
    const page = (await device.history(0)).message;
    expect(page?.revisions.map((r) => [r.revision, r.changes.length, r.moreChanges])).toEqual([1, 2, 3, 4, 5, 6, 7].map((r) => [BigInt(r), 1000, false]));
    // Ten revisions of 1000 changes fit exactly: the page ends at the tenth.
    for (let i = 0; i < 4; i++) await device.put(keys.slice(1000, 2000).map((k): [string, number, string] => [k, -1, `${k}${i}`]));
    const exact = (await device.history(0)).message;
    expect(exact?.revisions.map((r) => r.revision)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
    expect(exact?.revisions.at(-1)?.moreChanges).toBe(false);
    const { records, last } = await device.allRecords();
    expect(records.map((r) => r.changes.length)).toEqual(Array(11).fill(1000));
    let digest = genesis(last.incarnation, device.storeId);
    for (const record of records) {
      digest = recordDigest(digest, record);
      expect(hex(record.digest)).toBe(hex(digest));
    }
  });

  it("ends a page inside a revision whose changes do not fit, with more_changes; asked again, it sends the rest", async () => {
    const device = new HistoryClient("history-split");
    await device.put(Array.from({ length: 500 }, (_, i): [string, number, string] => [`a${String(i).padStart(4, "0")}`, 0, "v"]));
    for (let r = 0; r < 10; r++) await device.put(Array.from({ length: 1000 }, (_, i): [string, number, string] => [`r${r}-${String(i).padStart(4, "0")}`, 0, "v"]));
    const page = (await device.history(0)).message;
    const tail = page?.revisions.at(-1);
    expect(page?.revisions.map((r) => r.revision)).toEqual(Array.from({ length: 11 }, (_, i) => BigInt(i + 1)));
    expect(tail).toMatchObject({ revision: 11n, moreChanges: true });
    expect(tail?.changes).toHaveLength(500);
    expect(page?.revisions.slice(0, -1).every((r) => !r.moreChanges)).toBe(true);
    const resumed = (await device.history(10, undefined, tail?.changes.at(-1)?.key)).message;
    expect(resumed?.revisions[0]).toMatchObject({ revision: 11n, moreChanges: false, globalVersion: tail?.globalVersion });
    expect(hex(resumed?.revisions[0]?.digest ?? ZEROS)).toBe(hex(tail?.digest ?? ZEROS));
    expect(resumed?.revisions[0]?.changes[0]?.key).toBe("r9-0500");
    expect(resumed?.revisions[0]?.changes).toHaveLength(500);
    const whole = [...(tail?.changes ?? []), ...(resumed?.revisions[0]?.changes ?? [])];
    expect(hex(recordDigest(page?.revisions[9]?.digest ?? ZEROS, { ...(tail as NonNullable<typeof tail>), changes: whole }))).toBe(hex(tail?.digest ?? ZEROS));
  });
});
