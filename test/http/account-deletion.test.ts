import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { ErrorCode } from "../../src/gen/vss_pb";
import { decodeReply, expectError, send, TestClient } from "../support/vss";
import { ErrorResponseSchema } from "../../src/gen/vss_pb";
import { SigsKey } from "../support/sigs";

const ADMIN = "a".repeat(40);

async function storeIsEmpty(key: SigsKey, storeId: string): Promise<boolean> {
  const identity = `sigs:${key.publicKeyHex}`;
  const stub = env.VSS_STORE.get(env.VSS_STORE.idFromName(`${identity.length}:${identity}/${storeId}`));
  return runInDurableObject(stub, (_i, state) => state.storage.sql.databaseSize <= 8192 && state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray().length === 0);
}

describe("account deletion", () => {
  it("deletes every store of the caller's identity, leaves others alone, and is idempotent", async () => {
    const key = new SigsKey();
    const other = new TestClient("wallet");
    await other.put([["k", 0, "other's"]]);
    for (const storeId of ["wallet", "", "backup"]) {
      await new TestClient(storeId, key).put([["k", 0, "mine"], ["big", -1, new Uint8Array(2 * 1024 * 1024 + 1)]], { globalVersion: 0 });
    }
    for (let i = 0; i < 2; i++) {
      const response = await send("/deleteAccount", null, { authorization: key.header() });
      expect(response.status).toBe(200);
      expect(response.headers.get("vss-protocol-version")).toBe("0");
    }
    for (const storeId of ["wallet", "", "backup"]) expect(await storeIsEmpty(key, storeId)).toBe(true);
    const wallet = new TestClient("wallet", key);
    expect((await wallet.get("k")).status).toBe(404);
    expect((await wallet.read("global_version")).version).toBe(0);
    expect(await other.read("k")).toEqual({ version: 1, value: "other's" });
    expect((await wallet.put([["k", 0, "fresh start"]])).status).toBe(200);
  });

  it("needs credentials", async () => {
    expectError(await decodeReply(await send("/deleteAccount", null, { authorization: null }), ErrorResponseSchema), 401, ErrorCode.AUTH_EXCEPTION);
  });
});

describe("operator deletion of one identity", () => {
  const admin = (identity: string, token: string | null, vars: Record<string, string> = { VSS_ADMIN_TOKEN: ADMIN }) =>
    send(`http://vss.test/admin/identities/${encodeURIComponent(identity)}`, null, {
      method: "DELETE",
      authorization: token === null ? null : `Bearer ${token}`,
      env: vars,
    });

  it("erases the identity's stores with the admin token, idempotently", async () => {
    const key = new SigsKey();
    await new TestClient("a", key).put([["k", 0, "v"]]);
    await new TestClient("b", key).put([["k", 0, "v"]]);
    const first = await admin(`sigs:${key.publicKeyHex}`, ADMIN);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ identity: `sigs:${key.publicKeyHex}`, storesDeleted: 2 });
    expect((await new TestClient("a", key).get("k")).status).toBe(404);
    expect(await (await admin(`sigs:${key.publicKeyHex}`, ADMIN)).json()).toMatchObject({ storesDeleted: 0 });
  });

  it("refuses a wrong or missing token, and is an unknown path while no token is configured", async () => {
    const key = new SigsKey();
    await new TestClient("a", key).put([["k", 0, "v"]]);
    for (const token of [null, "b".repeat(40), ADMIN.slice(1)]) {
      const reply = await decodeReply(await admin(`sigs:${key.publicKeyHex}`, token), ErrorResponseSchema);
      expectError(reply, 401, ErrorCode.AUTH_EXCEPTION);
    }
    const off = await decodeReply(await admin(`sigs:${key.publicKeyHex}`, ADMIN, {}), ErrorResponseSchema);
    expectError(off, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect((await new TestClient("a", key).read("k")).version).toBe(1);
  });

  it("refuses an admin token shorter than 32 characters at configuration time", async () => {
    const reply = await decodeReply(await admin("sigs:x", "short", { VSS_ADMIN_TOKEN: "short" }), ErrorResponseSchema);
    expectError(reply, 500, ErrorCode.INTERNAL_SERVER_EXCEPTION);
  });
});
