import { describe, expect, it } from "vitest";
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { migrate } from "../../src/store/schema";
import { STORE_MIGRATIONS as MIGRATIONS } from "../../migrations";
import { STAGED_BLOB_TTL_MS } from "../../src/store/limits";
import { prefixUpperBound } from "../../src/store/core/list";
import { nextVersion } from "../../src/store/core/put";
import { sha256 } from "../../src/store/history/digest";
import { TEST_HISTORY } from "../support/history";
import type { VssStore } from "../../src/store/vss-store";

let counter = 0;
const freshStore = () => env.VSS_STORE.get(env.VSS_STORE.idFromName(`store-test-${counter++}-${Math.random()}`));
async function staged(store: ReturnType<typeof freshStore>, chunks: Uint8Array[]): Promise<number> {
  const result = await store.stageChunks(null, 0, chunks);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}
const context = { identity: "test:store", storeId: "s", storeLimits: { bytes: 0, keys: 0 }, identityLimits: null, identityStores: 0, lease: null, changeRetentionMs: 86_400_000, history: TEST_HISTORY };
const inline = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { kind: "inline" as const, bytes, sha256: sha256(bytes) };
};
const NO_HASH = new Uint8Array(32);

/** The store's RPC surface, driven directly (no HTTP, no protobuf). */
describe("VssStore over RPC", () => {
  it("returns conflicts as values, not exceptions", async () => {
    const store = freshStore();
    expect(await store.putObjects(context, { puts: [{ key: "k", version: 3, value: inline("v") }], deletes: [] })).toMatchObject({
      ok: false,
      error: { kind: "conflict" },
    });
    expect(await store.putObjects(context, { puts: [{ key: "k", version: 0, value: inline("v") }], deletes: [] })).toMatchObject({ ok: true, value: { revision: 1 } });
  });

  it("answers readBlob with gone once the blob was replaced", async () => {
    const store = freshStore();
    const blobId = await staged(store, [new Uint8Array(10).fill(1), new Uint8Array(10).fill(2)]);
    await store.putObjects(context, { puts: [{ key: "k", version: -1, value: { kind: "staged", blobId, size: 20, sha256: NO_HASH } }], deletes: [] });
    const head = await store.getObject("s", "k");
    expect(head).toMatchObject({ value: { kind: "chunked", blobId, size: 20, chunkCount: 2 } });
    expect(await store.readBlob(blobId, 1)).toEqual({ ok: true, value: [new Uint8Array(10).fill(2)] });
    // Without retained values, a replaced blob is freed at once.
    await store.putObjects({ ...context, history: { ...TEST_HISTORY, valuesMs: 0 } }, { puts: [{ key: "k", version: -1, value: inline("small") }], deletes: [] });
    expect(await store.readBlob(blobId, 1)).toEqual({ ok: false, error: "gone" });
  });

  it("refuses to stage out of order and to commit an incomplete staged blob", async () => {
    const store = freshStore();
    const blobId = await staged(store, [new Uint8Array(4)]);
    expect(await store.stageChunks(blobId, 5, [new Uint8Array(4)])).toMatchObject({ ok: false });
    expect(
      await store.putObjects(context, { puts: [{ key: "k", version: -1, value: { kind: "staged", blobId, size: 999, sha256: NO_HASH } }], deletes: [] }),
    ).toMatchObject({ ok: false, error: { kind: "staged-value-missing" } });
    expect(await store.getObject("s", "k")).toMatchObject({ value: null });
  });

  it("removes staged blobs abandoned for longer than the TTL when its alarm runs", async () => {
    const store = freshStore();
    const blobId = await staged(store, [new Uint8Array(8)]);
    await runInDurableObject(store, (_i, state) => {
      state.storage.sql.exec("UPDATE blobs SET staged_at = ? WHERE id = ?", Date.now() - STAGED_BLOB_TTL_MS - 1000, blobId);
    });
    const kept = await staged(store, [new Uint8Array(8)]);
    expect(await runDurableObjectAlarm(store)).toBe(true);
    const ids = await runInDurableObject(store, (_i, state) =>
      state.storage.sql.exec<{ id: number }>("SELECT id FROM blobs").toArray().map((r) => r.id),
    );
    expect(ids).toEqual([kept]);
  });
});

describe("a store that was never written", () => {
  it("answers reads as empty without creating any table", async () => {
    const store = freshStore();
    expect(await store.getObject("s", "k")).toMatchObject({ head: { revision: 0 }, value: null });
    expect(await store.getObject("s", "global_version")).toMatchObject({ value: { version: 0 } });
    expect(await store.listKeyVersions("s", { prefix: "", pageSize: 10 })).toMatchObject({ value: { keyVersions: [], globalVersion: 0 } });
    expect(await store.readBlob(1, 0)).toEqual({ ok: false, error: "gone" });
    await store.deleteObject(context, "k", -1);
    expect(await store.usage()).toEqual({ bytes: 0, keys: 0 });
    const tables = await runInDurableObject(store, (_i, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray(),
    );
    expect(tables).toEqual([]);
  });
});

describe("erasing a store (account deletion) while writes wait", () => {
  it("a write on its way when the erase begins never lands after it", async () => {
    const store = freshStore();
    await store.putObjects(context, { puts: [{ key: "a", version: 0, value: inline("a") }], deletes: [] });
    const put = await runInDurableObject(store, async (instance: VssStore) => {
      const writing = instance.putObjects(context, { puts: [{ key: "b", version: 0, value: inline("b") }], deletes: [] });
      const deleting = instance.deleteObject(context, "a", -1);
      await instance.erase();
      return Promise.all([writing, deleting]);
    });
    // Refused, or landed before the erase and erased with the rest: either way nothing is left.
    for (const result of put) expect(result.ok ? "landed" : result.error.message).toMatch(/^landed$|erased while this write waited/);
    expect(await store.usage()).toEqual({ bytes: 0, keys: 0 });
    expect(await runInDurableObject(store, (_i, state) => state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'objects'").toArray().length)).toBe(0);
    // The store works again afterwards, from an empty schema.
    expect(await store.putObjects(context, { puts: [{ key: "c", version: 0, value: inline("c") }], deletes: [] })).toMatchObject({ ok: true, value: { revision: 1 } });
  });
});

describe("schema migrations", () => {
  it("records every migration in the ledger once", async () => {
    const store = freshStore();
    await store.putObjects(context, { puts: [], deletes: [] });
    const rows = await runInDurableObject(store, (_i, state) => {
      migrate(state.storage, MIGRATIONS); // again: a no-op
      return state.storage.sql.exec<{ id: number; name: string }>("SELECT id, name FROM schema_migrations ORDER BY id").toArray();
    });
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it("refuses to run older code on a store migrated by newer code", async () => {
    const store = freshStore();
    await store.putObjects(context, { puts: [{ key: "k", version: 0, value: inline("v") }], deletes: [] });
    await runInDurableObject(store, (_i, state) => {
      state.storage.sql.exec("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, 'from the future', 0)", MIGRATIONS.length + 1);
      expect(() => migrate(state.storage, MIGRATIONS)).toThrow(/refusing to downgrade/);
    });
  });

  it("applies only the migrations a store has not seen, in one transaction", async () => {
    const store = freshStore();
    await runInDurableObject(store, (_i, state) => {
      const extra = { id: MIGRATIONS.length + 1, name: "test-extra", sql: "CREATE TABLE extra (x INTEGER); INSERT INTO extra VALUES (1);" };
      expect(migrate(state.storage, [...MIGRATIONS, extra])).toBe(extra.id);
      const broken = { id: extra.id + 1, name: "broken", sql: "CREATE TABLE broken (x INTEGER); INSERT INTO nope VALUES (1);" };
      expect(() => migrate(state.storage, [...MIGRATIONS, extra, broken])).toThrow();
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name IN ('extra', 'broken')").toArray();
      expect(tables.map((t) => t.name)).toEqual(["extra"]);
    });
  });
});

describe("pure rules", () => {
  it("computes next versions by CONTRACT.md §5", () => {
    expect(nextVersion(-1, undefined)).toBe(1);
    expect(nextVersion(-1, 7)).toBe(1);
    expect(nextVersion(0, undefined)).toBe(1);
    expect(nextVersion(0, 1)).toBeUndefined();
    expect(nextVersion(3, 3)).toBe(4);
    expect(nextVersion(3, 4)).toBeUndefined();
    expect(nextVersion(3, undefined)).toBeUndefined();
    expect(nextVersion(-2, 1)).toBeUndefined();
  });

  it("computes the byte-order upper bound of a prefix", () => {
    expect(prefixUpperBound("")).toBeNull();
    expect(prefixUpperBound("ab")).toBe("ac");
    expect(prefixUpperBound("a\u{10ffff}")).toBe("b");
    expect(prefixUpperBound("\u{10ffff}\u{10ffff}")).toBeNull();
    expect(prefixUpperBound("a\ud7ff")).toBe("a\ue000");
    expect(prefixUpperBound("a\uffff")).toBe("a\u{10000}");
  });
});
