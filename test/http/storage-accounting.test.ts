import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { accountFor } from "../../src/account/vss-account";
import type { Env } from "../../src/env";
import { ErrorCode } from "../../src/gen/vss_pb";
import { expectError, TestClient } from "../support/vss";
import { SigsKey } from "../support/sigs";
import { TEST_HISTORY } from "../support/history";

function storeOf(c: TestClient) {
  const identity = `sigs:${c.key.publicKeyHex}`;
  return env.VSS_STORE.get(env.VSS_STORE.idFromName(`${identity.length}:${identity}/${c.storeId}`));
}

/** What a store's Durable Object holds: its tables, the size of its database, and how many blobs it ever staged. */
async function footprint(c: TestClient): Promise<{ tables: number; bytes: number; blobsEver: number }> {
  return runInDurableObject(storeOf(c), (_o, state) => {
    const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
    const blobsEver = tables.some((t) => t.name === "sqlite_sequence")
      ? (state.storage.sql.exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'blobs'").toArray()[0]?.seq ?? 0)
      : 0;
    return { tables: tables.length, bytes: state.storage.sql.databaseSize, blobsEver };
  });
}

const accountStores = (key: SigsKey) => accountFor(env as unknown as Env, `sigs:${key.publicKeyHex}`).stores();
const MiB = 1024 * 1024;

/** Finding 4 of issue 12: refused or empty writes leave no storage behind, and stores per identity are bounded. */
describe("storage accounting", () => {
  it("an empty putObjects answers 200 and creates neither a store nor an account entry", async () => {
    const c = new TestClient("never-written");
    expect((await c.put([])).status).toBe(200);
    expect(await footprint(c)).toMatchObject({ tables: 0 });
    expect(await accountStores(c.key)).toEqual([]);
  });

  it("a refused first write (conflict, delete of a missing key) leaves no store and no account entry", async () => {
    const c = new TestClient("refused");
    expectError(await c.put([["k", 5, "v"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await c.put([], { deletes: [["k", -1]] }), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await c.put([["k", 0, new Uint8Array(32 * MiB)]], { globalVersion: 3 }), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(await footprint(c)).toMatchObject({ tables: 0 });
    expect(await accountStores(c.key)).toEqual([]);
  });

  it("a refused 32 MiB put (conflict or quota) uploads nothing into an existing store", async () => {
    const c = new TestClient("big-refusals", new SigsKey(), { env: { VSS_QUOTA_STORE_BYTES: String(8 * MiB) } });
    expect((await c.put([["small", 0, "v"]])).status).toBe(200);
    const before = await footprint(c);
    expectError(await c.put([["small", 7, new Uint8Array(32 * MiB)]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await c.put([["big", 0, new Uint8Array(32 * MiB)]]), 403, ErrorCode.INVALID_REQUEST_EXCEPTION);
    const after = await footprint(c);
    expect(after.blobsEver).toBe(before.blobsEver); // nothing was even staged
    expect(after.bytes).toBeLessThan(before.bytes + MiB);
    expect(await storeOf(c).usage()).toEqual({ bytes: 6, keys: 1 });
  });

  it("a put that loses a race after staging drops what it staged; a store left holding nothing is erased and forgotten", async () => {
    const key = new SigsKey();
    const c = new TestClient("lost-race", key);
    const store = storeOf(c);
    const staged = await store.stageChunks(null, 0, [new Uint8Array(MiB), new Uint8Array(MiB)]);
    if (!staged.ok) throw new Error(staged.error);
    const context = { identity: `sigs:${key.publicKeyHex}`, storeId: c.storeId, storeLimits: { bytes: 0, keys: 0 }, identityLimits: null, identityStores: 0, lease: null, changeRetentionMs: 86_400_000, history: TEST_HISTORY };
    const result = await store.putObjects(context, { puts: [{ key: "k", version: 4, value: { kind: "staged", blobId: staged.value, size: 2 * MiB, sha256: new Uint8Array(32) } }], deletes: [] });
    expect(result).toMatchObject({ ok: false, error: { kind: "conflict" } });
    expect(await footprint(c)).toMatchObject({ tables: 0 });
    expect(await accountStores(key)).toEqual([]);
  });

  it("bounds the stores of one identity (VSS_QUOTA_IDENTITY_STORES): a new store past it is refused with 403 and leaves nothing", async () => {
    const key = new SigsKey();
    const vars = { env: { VSS_QUOTA_IDENTITY_STORES: "3" } };
    for (const storeId of ["a", "b", "c"]) expect((await new TestClient(storeId, key, vars).put([["k", 0, storeId]])).status).toBe(200);
    const fourth = new TestClient("d", key, vars);
    const refused = await fourth.put([["k", 0, "d"]]);
    expectError(refused, 403, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(refused.error?.message).toMatch(/stores would be 4, the limit is 3/);
    expectError(await fourth.put([["k", 0, new Uint8Array(3 * MiB)]]), 403, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(await footprint(fourth)).toMatchObject({ tables: 0 });
    expect((await accountStores(key)).sort()).toEqual(["a", "b", "c"]);
    // The existing stores keep working; a higher limit admits the fourth.
    expect((await new TestClient("a", key, vars).put([["k", 1, "again"]])).status).toBe(200);
    expect((await new TestClient("d", key, { env: { VSS_QUOTA_IDENTITY_STORES: "4" } }).put([["k", 0, "d"]])).status).toBe(200);
    expect((await accountStores(key)).sort()).toEqual(["a", "b", "c", "d"]);
  });
});
