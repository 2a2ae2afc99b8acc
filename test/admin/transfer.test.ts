import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { ErrorCode, ErrorResponseSchema, GetObjectRequestSchema } from "../../src/gen/vss_pb";
import { admin, concat, itemFrame, parseExport, storeQuery } from "../support/admin";
import { SigsKey } from "../support/sigs";
import { decodeReply, expectError, send, TestClient } from "../support/vss";

const bytes = (text: string) => new TextEncoder().encode(text);
function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Byte equality without vitest's element-by-element diffing (slow on MiB arrays). */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function beginImport(identity: string, storeId: string, source: string, replace = false, force = false) {
  const response = await admin(`/store/import/begin?${storeQuery(identity, storeId)}`, { method: "POST", body: JSON.stringify({ source, replace, force }) });
  return { status: response.status, body: response.ok ? ((await response.json()) as { importId: string; received: number; state: string }) : undefined };
}

async function sendItems(identity: string, storeId: string, importId: string, from: number, frames: Uint8Array[]) {
  const response = await admin(`/store/import/items?${storeQuery(identity, storeId)}&import_id=${importId}&from=${from}`, { method: "POST", body: concat(frames) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { received: number }).received;
}

async function commit(identity: string, storeId: string, importId: string, keys: number, globalVersion: number) {
  return admin(`/store/import/commit?${storeQuery(identity, storeId)}&import_id=${importId}`, { method: "POST", body: JSON.stringify({ keys, globalVersion }) });
}

async function exportBytes(identity: string, storeId: string): Promise<Uint8Array> {
  const response = await admin(`/store/export?${storeQuery(identity, storeId)}`);
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

describe("admin export", () => {
  it("streams every key in creation order with version, byte-exact value and the global version", async () => {
    const key = new SigsKey();
    const wallet = new TestClient("w", key);
    const big = pattern(3 * 1024 * 1024 + 5, 7);
    await wallet.put([["z", 0, "first"], ["a", 0, new Uint8Array(0)]], { globalVersion: 0 });
    await wallet.put([["m", 0, big], ["z", 1, "first again"]], { globalVersion: 1 });
    const parsed = await parseExport(await exportBytes(`sigs:${key.publicKeyHex}`, "w"));
    expect(parsed.header).toMatchObject({ identity: `sigs:${key.publicKeyHex}`, storeId: "w", globalVersion: "2", keys: 3, headRevision: "2" });
    expect(parsed.header.incarnation).toMatch(/^[0-9a-f]{32}$/);
    expect(parsed.header.headDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed.items.map((i) => [i.key, i.version])).toEqual([["z", 2], ["a", 1], ["m", 1]]);
    expect(parsed.items[0]?.value).toEqual(bytes("first again"));
    expect(parsed.items[1]?.value).toEqual(new Uint8Array(0));
    expect(sameBytes(parsed.items[2]?.value, big)).toBe(true);
    expect(parsed.end).toEqual({ keys: 3, valueBytes: big.length + 11, sha256: parsed.sha256 });
  });

  it("is one point in time: a write that lands between two pages ends the stream without its end frame", async () => {
    const key = new SigsKey();
    const wallet = new TestClient("paged", key);
    for (let i = 0; i < 3; i++) {
      const items = Array.from({ length: 250 }, (_, j): [string, number, string] => [`k${i * 250 + j}`, 0, "v"]);
      expect((await wallet.put(items)).status).toBe(200);
    }
    const response = await admin(`/store/export?${storeQuery(`sigs:${key.publicKeyHex}`, "paged")}`);
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false); // the first page (512 keys) is read; the second is not yet
    expect((await wallet.put([["k0", 1, "changed"], ["k749", 1, "changed"]])).status).toBe(200);
    await expect((async () => {
      for (;;) if ((await reader.read()).done) return "complete";
    })()).rejects.toThrow();
  });

  it("exports a never-written store as empty, without creating it", async () => {
    const parsed = await parseExport(await exportBytes("sigs:" + "0".repeat(66), "nothing"));
    expect(parsed.items).toEqual([]);
    expect(parsed.header.globalVersion).toBe("0");
  });
});

describe("admin import", () => {
  it("fills an empty store invisibly, answers the wallet 503 meanwhile, and shows everything at commit", async () => {
    const key = new SigsKey();
    const identity = `sigs:${key.publicKeyHex}`;
    const wallet = new TestClient("", key);
    const big = pattern(2 * 1024 * 1024 + 3, 1);
    const frames = [itemFrame("z", 7, bytes("zz")), itemFrame("ä/🙂", 1, new Uint8Array(0)), itemFrame("big", 3, big), itemFrame("a".repeat(600), 2, bytes("long"))];
    const begun = await beginImport(identity, "", "source-1");
    expect(begun.body).toMatchObject({ state: "importing", received: 0 });
    const importId = begun.body?.importId ?? "";
    expect(await sendItems(identity, "", importId, 0, frames.slice(0, 2))).toBe(2);

    for (const reply of [await wallet.get("z"), await wallet.list(), await wallet.put([["n", 0, "x"]]), await wallet.delete("z", -1)]) {
      expectError(reply, 503, ErrorCode.INTERNAL_SERVER_EXCEPTION);
    }
    // A batch sent again after a lost answer, overlapping what arrived: nothing doubles.
    expect(await sendItems(identity, "", importId, 1, frames.slice(1))).toBe(4);
    expect((await (await commit(identity, "", importId, 4, 9)).json()) as object).toMatchObject({ state: "ready", keys: 4, globalVersion: 9 });

    expect(await wallet.read("z")).toEqual({ version: 7, value: "zz" });
    expect(sameBytes((await wallet.get("big")).message?.value?.value, big)).toBe(true);
    const listed = await wallet.listAll();
    expect(listed.keys.map((kv) => kv.key)).toEqual(["a".repeat(600), "big", "ä/🙂", "z"]);
    expect(listed.pages[0]?.globalVersion).toBe(9n);
    expect((await wallet.put([["z", 7, "next"]], { globalVersion: 9 })).status).toBe(200);
    expect(await wallet.read("z")).toEqual({ version: 8, value: "next" });
  });

  it("answers a retryable 503 with Retry-After and the protocol header", async () => {
    const key = new SigsKey();
    await beginImport(`sigs:${key.publicKeyHex}`, "s", "src");
    const response = await send("/getObject", toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId: "s", key: "k" })), { authorization: key.header() });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expectError(await decodeReply(response, ErrorResponseSchema), 503, ErrorCode.INTERNAL_SERVER_EXCEPTION);
  });

  it("refuses a store with data unless asked to replace it, and resumes an unfinished import of the same source", async () => {
    const key = new SigsKey();
    const identity = `sigs:${key.publicKeyHex}`;
    const wallet = new TestClient("s", key);
    await wallet.put([["old", 0, "data"]]);
    expect((await beginImport(identity, "s", "src")).status).toBe(409);
    const first = await beginImport(identity, "s", "src", true);
    expect(await sendItems(identity, "s", first.body?.importId ?? "", 0, [itemFrame("k1", 1, bytes("1"))])).toBe(1);
    const again = await beginImport(identity, "s", "src");
    expect(again.body).toMatchObject({ importId: first.body?.importId, received: 1, state: "importing" });
    expect((await commit(identity, "s", first.body?.importId ?? "", 2, 0)).status).toBe(400);
    expect(await sendItems(identity, "s", first.body?.importId ?? "", 1, [itemFrame("k2", 1, bytes("2"))])).toBe(2);
    expect((await commit(identity, "s", first.body?.importId ?? "", 2, 0)).status).toBe(200);
    expect((await wallet.get("old")).status).toBe(404);
    expect((await wallet.listAll()).keys.map((kv) => kv.key)).toEqual(["k2", "k1"]);
  });

  it("refuses to begin an import from another source while one is in progress, unless aborted or forced", async () => {
    const identity = `sigs:${new SigsKey().publicKeyHex}`;
    const first = await beginImport(identity, "s", "first-operator");
    expect(await sendItems(identity, "s", first.body?.importId ?? "", 0, [itemFrame("k1", 1, bytes("1"))])).toBe(1);
    const second = await admin(`/store/import/begin?${storeQuery(identity, "s")}`, { method: "POST", body: JSON.stringify({ source: "second-operator" }) });
    expect(second.status).toBe(409);
    const error = await decodeReply(second, ErrorResponseSchema);
    expect(error.error?.message).toMatch(/first-operator.*in progress/);
    // The first operator's resume point is intact.
    expect((await beginImport(identity, "s", "first-operator")).body).toMatchObject({ importId: first.body?.importId, received: 1 });
    const forced = await beginImport(identity, "s", "second-operator", false, true);
    expect(forced.body).toMatchObject({ state: "importing", received: 0 });
    expect(forced.body?.importId).not.toBe(first.body?.importId);
    expect((await admin(`/store/import/abort?${storeQuery(identity, "s")}`, { method: "POST" })).status).toBe(200);
    expect((await beginImport(identity, "s", "third-operator")).status).toBe(200);
  });

  it("refuses a duplicate key, a gap, and a reserved key, without storing the batch", async () => {
    const key = new SigsKey();
    const identity = `sigs:${key.publicKeyHex}`;
    const { body } = await beginImport(identity, "s", "src");
    const id = body?.importId ?? "";
    const post = (from: number, frames: Uint8Array[]) => admin(`/store/import/items?${storeQuery(identity, "s")}&import_id=${id}&from=${from}`, { method: "POST", body: concat(frames) });
    expect((await post(0, [itemFrame("a", 1, bytes("x")), itemFrame("a", 1, bytes("y"))])).status).toBe(400);
    expect((await post(3, [itemFrame("b", 1, bytes("x"))])).status).toBe(400);
    expect((await post(0, [itemFrame("global_version", 1, bytes(""))])).status).toBe(400);
    expect((await post(0, [concat([itemFrame("c", 1, bytes("x"))]).subarray(0, 9)])).status).toBe(400);
    const status = (await (await admin(`/store?${storeQuery(identity, "s")}`)).json()) as { received: number };
    expect(status.received).toBe(0);
  });
});

describe("admin directory", () => {
  it("lists an identity once its first store is written, and its stores", async () => {
    const key = new SigsKey();
    const identity = `sigs:${key.publicKeyHex}`;
    await new TestClient("one", key).put([["k", 0, "v"]]);
    await new TestClient("two", key).put([["k", 0, "v"]]);
    const all: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = (await (await admin(`/identities?limit=7&cursor=${cursor}`)).json()) as { identities: string[]; next: string | null };
      all.push(...page.identities);
      cursor = page.next;
    }
    expect(all.filter((i) => i === identity)).toHaveLength(1);
    expect(await (await admin(`/stores?identity=${encodeURIComponent(identity)}`)).json()).toEqual({ identity, stores: ["one", "two"] });
    await admin(`/identities/${encodeURIComponent(identity)}`, { method: "DELETE" });
    const after = (await (await admin(`/identities?limit=1000`)).json()) as { identities: string[] };
    expect(after.identities).not.toContain(identity);
  });
});

describe("admin authentication", () => {
  const routes: [string, string][] = [
    ["GET", "/identities"],
    ["GET", `/stores?identity=${encodeURIComponent("sigs:" + "1".repeat(66))}`],
    ["GET", `/store?${storeQuery("sigs:" + "1".repeat(66), "s")}`],
    ["GET", `/store/export?${storeQuery("sigs:" + "1".repeat(66), "s")}`],
    ["POST", `/store/import/begin?${storeQuery("sigs:" + "1".repeat(66), "s")}`],
    ["POST", `/store/import/items?${storeQuery("none:nobody", "s")}&from=0`],
    ["POST", `/store/import/commit?${storeQuery("none:nobody", "s")}`],
    ["POST", `/store/import/abort?${storeQuery("none:nobody", "s")}`],
    ["DELETE", "/identities/sigs:abc"],
  ];

  it("refuses a missing or wrong token with the same 401, whether or not the identity exists", async () => {
    const key = new SigsKey();
    await new TestClient("s", key).put([["k", 0, "v"]]);
    const existing = `/store?${storeQuery(`sigs:${key.publicKeyHex}`, "s")}`;
    const bodies = new Set<string>();
    for (const [method, path] of [...routes, ["GET", existing] as [string, string]]) {
      for (const token of [null, "wrong", "t".repeat(39), "t".repeat(41)]) {
        const response = await admin(path, { method, token, body: method === "POST" ? "{}" : null });
        const reply = await decodeReply(response, ErrorResponseSchema);
        expectError(reply, 401, ErrorCode.AUTH_EXCEPTION);
        bodies.add(reply.error?.message ?? "");
      }
    }
    expect(bodies.size).toBe(1);
  });
});
