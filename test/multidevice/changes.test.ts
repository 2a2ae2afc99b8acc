import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { DeviceClient } from "../support/multidevice";
import { storeStub } from "../support/stores";
import { expectError, type Item } from "../support/vss";

const revisionOf = async (device: DeviceClient) => (await device.changes(0)).message?.revision;
const summary = (changes: { key: string; version: bigint; deleted: boolean; revision: bigint }[]) =>
  changes.map((c) => `${c.key}@${c.version}${c.deleted ? " deleted" : ""} r${c.revision}`);

/** MULTIDEVICE.md §5: revisions and listChanges. */
describe("revisions and listChanges", () => {
  it("a store starts at revision 0 with no changes; each committed write adds exactly 1", async () => {
    const device = new DeviceClient("rev-count");
    expect((await device.changes(0)).message).toMatchObject({ changes: [], revision: 0n, hasMore: false, reset: false, globalVersion: 0n });
    await device.put([["a", 0, "1"], ["b", 0, "2"]]);
    expect(await revisionOf(device)).toBe(1n);
    await device.put([], { globalVersion: 0 }); // a global_version bump alone is a write
    expect(await revisionOf(device)).toBe(2n);
    await device.delete("a", -1);
    expect(await revisionOf(device)).toBe(3n);
  });

  it("refused writes, an empty put and a deleteObject that removed nothing change no revision", async () => {
    const device = new DeviceClient("rev-none");
    await device.put([["a", 0, "1"]]);
    expectError(await device.put([["a", 0, "x"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await device.put([["b", 0, "x"]], { deletes: [["missing", -1]] }), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await device.put([])).status).toBe(200);
    expect((await device.delete("missing", -1)).status).toBe(200);
    expect((await device.delete("a", 7)).status).toBe(200);
    expect(await revisionOf(device)).toBe(1n);
  });

  it("one Change per key whose last change is after since: current version, or deleted with version 0; ascending", async () => {
    const device = new DeviceClient("rev-feed");
    await device.put([["a", 0, "1"], ["b", 0, "2"]]); // r1
    await device.put([["a", 1, "1b"]]); // r2
    await device.put([["c", 0, "3"]], { deletes: [["b", 1]] }); // r3
    await device.put([["a", 2, "1c"]]); // r4
    const all = (await device.changes(0)).message?.changes ?? [];
    expect(all.map((c) => c.revision)).toEqual([3n, 3n, 4n]); // ascending; a key changed many times appears once
    expect(summary(all).sort()).toEqual(["a@3 r4", "b@0 deleted r3", "c@1 r3"]);
    const fromTwo = (await device.changes(2)).message;
    expect(summary(fromTwo?.changes ?? []).sort()).toEqual(["a@3 r4", "b@0 deleted r3", "c@1 r3"]);
    expect(fromTwo?.changes.map((c) => c.revision)).toEqual([3n, 3n, 4n]);
    expect((await device.changes(4)).message).toMatchObject({ changes: [], revision: 4n, hasMore: false, reset: false });
  });

  it("a key deleted and re-created shows its new version, not deleted", async () => {
    const device = new DeviceClient("rev-recreate");
    await device.put([["k", 0, "1"]]);
    await device.delete("k", -1);
    await device.put([["k", 0, "again"]]);
    expect(summary((await device.changes(0)).message?.changes ?? [])).toEqual(["k@1 r3"]);
  });

  it("pages end on revision boundaries (exceeding the size to finish one); revision says where to go on", async () => {
    const device = new DeviceClient("rev-pages");
    const batch = (from: number, n: number): Item[] => Array.from({ length: n }, (_, i) => [`k${from + i}`, -1, "v"]);
    await device.put(batch(0, 3)); // r1: k0..k2
    await device.put(batch(3, 4)); // r2: k3..k6
    await device.put(batch(7, 1)); // r3: k7
    const first = (await device.changes(0, 4)).message;
    // 4 rows reach into r2, so the page takes the whole of r2: 7 changes.
    expect(first?.changes.length).toBe(7);
    expect(first).toMatchObject({ hasMore: true, revision: 2n });
    const second = (await device.changes(first?.revision ?? 0n, 4)).message;
    expect(summary(second?.changes ?? [])).toEqual(["k7@1 r3"]);
    expect(second).toMatchObject({ hasMore: false, revision: 3n });
    // An exact fit still says hasMore only when more follow.
    const exact = (await device.changes(0, 3)).message;
    expect(exact).toMatchObject({ hasMore: true, revision: 1n });
    expect(exact?.changes.length).toBe(3);
    const all = (await device.changes(0)).message;
    expect(all).toMatchObject({ hasMore: false, revision: 3n });
    expect(all?.changes.length).toBe(8);
  });

  it("page_size: absent → 1000, capped at 1000, below 1 → 400; since below 0 → 400", async () => {
    const device = new DeviceClient("rev-size");
    for (let i = 0; i < 3; i++) await device.put(Array.from({ length: 500 }, (_, j): Item => [`k${i}-${j}`, -1, "v"]));
    expect((await device.changes(0)).message?.changes.length).toBe(1000);
    expect((await device.changes(0, 5000)).message?.changes.length).toBe(1000);
    expectError(await device.changes(0, 0), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await device.changes(0, -3), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await device.changes(-1), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
  });

  it("carries the store's current global version (0 when never set)", async () => {
    const device = new DeviceClient("rev-gv");
    await device.put([["a", 0, "1"]]);
    expect((await device.changes(0)).message?.globalVersion).toBe(0n);
    await device.put([["b", 0, "1"]], { globalVersion: 0 });
    await device.put([], { globalVersion: 1 });
    expect((await device.changes(1)).message?.globalVersion).toBe(2n);
  });

  it("since beyond the current revision (e.g. after the store was erased) → reset, no changes, the current revision", async () => {
    const device = new DeviceClient("rev-ahead");
    await device.put([["a", 0, "1"]]);
    expect((await device.changes(9)).message).toMatchObject({ changes: [], revision: 1n, reset: true, hasMore: false });
    expect((await new DeviceClient("rev-ahead-fresh", device.key).changes(3)).message).toMatchObject({ changes: [], revision: 0n, reset: true });
  });

  it("deleted keys are remembered for VSS_CHANGES_RETENTION_DAYS; a client behind the pruned history gets reset", async () => {
    const device = new DeviceClient("rev-prune", undefined, { env: { VSS_CHANGES_RETENTION_DAYS: "1" } });
    await device.put([["gone", 0, "1"], ["kept", 0, "1"]]); // r1
    await device.delete("gone", -1); // r2
    // Make the deletion two days old, then write until a write prunes (every 16 revisions).
    await runInDurableObject(storeStub(device), (_o, state) => {
      state.storage.sql.exec("UPDATE changes SET changed_at = ? WHERE key = 'gone'", Date.now() - 2 * 86_400_000);
    });
    for (let i = 0; i < 14; i++) await device.put([["kept", -1, String(i)]]); // r3..r16
    const behind = (await device.changes(1)).message;
    expect(behind).toMatchObject({ reset: true, revision: 16n, changes: [] });
    const fresh = (await device.changes(2)).message;
    expect(fresh).toMatchObject({ reset: false, revision: 16n });
    expect(summary(fresh?.changes ?? [])).toEqual(["kept@1 r16"]);
    // A recent deletion is still remembered.
    await device.delete("kept", -1);
    expect(summary((await device.changes(16)).message?.changes ?? [])).toEqual(["kept@0 deleted r17"]);
  });

  it("walking the feed from 0 reproduces exactly what listKeyVersions shows", async () => {
    const device = new DeviceClient("rev-walk");
    for (let i = 0; i < 40; i++) {
      const key = `k${i % 13}`;
      if (i % 5 === 4) await device.delete(key, -1);
      else await device.put([[key, -1, String(i)]]);
    }
    const { changes } = await device.allChanges(0);
    const live = new Map<string, bigint>();
    for (const c of changes) if (!c.deleted) live.set(c.key, c.version);
    const listed = new Map((await device.listAll()).keys.map((kv) => [kv.key, kv.version] as const));
    expect(live).toEqual(listed);
  });
});
