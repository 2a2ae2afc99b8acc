import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { hex, HistoryClient, recordDigest, ZEROS } from "../support/history-chain";
import { storeStub } from "../support/stores";
import { StoreSql } from "../../src/store/sql";
import { applyPut } from "../../src/store/core/put";
import { expectError } from "../support/vss";

const KiB = 1024;
const value = (n: number) => new Uint8Array(20 * KiB).fill(n);
const DAY = 86_400_000;

/** HISTORY.md §5: the history's own allowance, pruned in the background in the spec's order. */
describe("history pruning", () => {
  it("over a tight allowance, drops overwritten values oldest first, then deleted ones; every record stays", async () => {
    const device = new HistoryClient("prune-order", undefined, { env: { VSS_HISTORY_BYTES: String(64 * KiB) } });
    await device.put([["d", 0, value(100)]]); // 1
    await device.delete("d", 1); // 2: a deleted value, 20 KiB
    for (let i = 0; i < 6; i++) await device.put([["o", -1, value(i)]]); // 3 … 8: five overwritten values, 100 KiB
    expect(await runDurableObjectAlarm(storeStub(device))).toBe(true);
    // Under 64 KiB again: the three oldest overwritten values went first (100 + 20 → 60 + 20 > 64? then one more).
    const kept = async (revision: number) => (await device.version("o", revision)).status === 200;
    const pruned = await device.version("o", 3);
    expectError(pruned, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(pruned.error?.message).toMatch(/^pruned:/);
    expect([await kept(3), await kept(4), await kept(5), await kept(6), await kept(7), await kept(8)]).toEqual([false, false, false, true, true, true]);
    expect((await device.version("d", 1)).status).toBe(200); // the deleted value outlived the overwritten ones
    const { records, last } = await device.allRecords();
    expect(records.map((r) => r.revision)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(records.every((r) => !r.changesPruned && r.changes.length === 1)).toBe(true);
    expect(last.oldestRevision).toBe(1n);
  });

  it("under churn by a credential holder, values go but the records of the last retention days survive", async () => {
    const device = new HistoryClient("prune-churn", undefined, { env: { VSS_HISTORY_BYTES: String(64 * KiB) } });
    await device.put([["wallet", 0, value(1)]]);
    for (let i = 0; i < 40; i++) await device.put([["junk", -1, value(i)]]);
    await runDurableObjectAlarm(storeStub(device));
    expectError(await device.version("junk", 2), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    const { records } = await device.allRecords();
    expect(records).toHaveLength(41);
    expect(records.every((r) => !r.changesPruned)).toBe(true);
    expect((await device.version("wallet", 1)).status).toBe(200); // never replaced: it is the live value
  });

  it("over the allowance, drops the records older than the retention, oldest first; their digests stay", async () => {
    const device = new HistoryClient("prune-records", undefined, { env: { VSS_HISTORY_BYTES: String(64 * KiB), VSS_HISTORY_RETENTION_DAYS: "1", VSS_HISTORY_VALUES_DAYS: "0" } });
    for (let i = 0; i < 30; i++) await device.put(Array.from({ length: 20 }, (_, j): [string, number, string] => [`${"k".repeat(100)}-${j}`, -1, `${i}`]));
    const before = await device.allRecords();
    await runInDurableObject(storeStub(device), (_o, state) => {
      state.storage.sql.exec("UPDATE revisions SET committed_at = ? WHERE revision <= 20", Date.now() - 2 * DAY);
    });
    await runDurableObjectAlarm(storeStub(device));
    const page = (await device.history(0)).message;
    const oldest = Number(page?.oldestRevision ?? 0);
    expect(oldest).toBeGreaterThan(1);
    expect(oldest).toBeLessThanOrEqual(21);
    for (const record of page?.revisions ?? []) {
      expect(record.changesPruned).toBe(record.revision < BigInt(oldest));
      expect(hex(record.digest)).toBe(hex(before.records[Number(record.revision) - 1]?.digest ?? ZEROS));
    }
    expect(hex(page?.baseDigest ?? ZEROS)).toBe(hex(before.records[oldest - 2]?.digest ?? ZEROS));
    // The chain still verifies from the base over the records kept.
    let digest = page?.baseDigest ?? ZEROS;
    for (const record of (await device.allRecords(BigInt(oldest - 1))).records) {
      digest = recordDigest(digest, record);
      expect(hex(record.digest)).toBe(hex(digest));
    }
    const gone = await device.version(`${"k".repeat(100)}-0`, 1);
    expect(gone.error?.message).toMatch(/^pruned:/);
  });
});

/** Past versions written with values off (VSS_HISTORY_VALUES_DAYS=0) keep no bytes, so no pruning is scheduled for them. */
describe("history with values off", () => {
  it("a write that replaces a value keeps its record but asks for no alarm", async () => {
    const device = new HistoryClient("values-off", undefined, { env: { VSS_HISTORY_VALUES_DAYS: "0" } });
    await device.put([["k", 0, "one"]]);
    await runInDurableObject(storeStub(device), async (_o, state) => {
      const db = new StoreSql(state.storage.sql);
      const sha256 = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("two")));
      const settings = { valuesMs: 0, retentionMs: 30 * DAY, allowanceBytes: 64 * 1024 * 1024 };
      const rules = { limits: { bytes: 0, keys: 0 }, lease: null, now: Date.now(), changeRetentionMs: DAY, storeId: device.storeId, history: settings };
      const applied = applyPut(state.storage, db, { puts: [{ key: "k", version: 1, value: { kind: "inline", bytes: new TextEncoder().encode("two"), sha256 } }], deletes: [] }, rules);
      expect(applied.ok && applied.value.historyBytes).toBeGreaterThan(0); // the replaced version's record
      expect(applied.ok && applied.value.retained).toBe(false); // but no bytes kept: nothing for the pruning to do
      expect(applied.ok && applied.value.retained === false && (await state.storage.getAlarm())).toBe(null);
    });
  });
});

describe("history pruning in rounds", () => {
  it("a round that fills its batch of overwritten values leaves deleted values for a later round (HISTORY.md §5 order)", async () => {
    const device = new HistoryClient("prune-rounds");
    await device.put([["d", 0, new Uint8Array(KiB)]]); // 1
    await device.delete("d", 1); // 2: one deleted value, 1 KiB
    // 3 … 602: 600 overwritten values of 1 KiB, more than one round's batch (512).
    for (let i = 0; i < 600; i += 20) {
      await Promise.all(Array.from({ length: 20 }, () => device.put([["o", -1, new Uint8Array(KiB).fill(i)]])));
    }
    // An allowance that 560 of the overwritten values must make room for, set by the next write.
    const bytes = await runInDurableObject(storeStub(device), (_o, state) => state.storage.sql.exec<{ b: number }>("SELECT history_bytes AS b FROM store_meta").one().b);
    const tight = new HistoryClient("prune-rounds", device.key, { env: { VSS_HISTORY_BYTES: String(bytes - 560 * KiB) } });
    await tight.put([["x", 0, "x"]]);
    expect(await runDurableObjectAlarm(storeStub(device))).toBe(true);
    expect((await device.version("d", 1)).status).toBe(200); // round 1 dropped overwritten values only
    expectError(await device.version("o", 514), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    for (let round = 0; round < 3; round++) await runDurableObjectAlarm(storeStub(device));
    expect((await device.version("d", 1)).status).toBe(200); // under the allowance before the deleted value's turn
    expectError(await device.version("o", 560), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect((await device.version("o", 601)).status).toBe(200);
    expect((await device.history(0)).message?.oldestRevision).toBe(1n);
  });
});
