import { describe, expect, it } from "vitest";
import { DENSE_SCAN_ROWS } from "../../src/store/sql";
import { fromBinary, toBinary, create } from "@bufbuild/protobuf";
import { ErrorCode, ListKeyVersionsRequestSchema, ListKeyVersionsResponseSchema } from "../../src/gen/vss_pb";
import { expectError, send, TestClient, type Item } from "../support/vss";

const items = (keys: string[]): Item[] => keys.map((k) => [k, -1, "v"]);

/** listKeyVersions rules (CONTRACT.md §7). */
describe("listKeyVersions", () => {
  it("keeps the creation position on update and -1 upsert; delete and re-create moves to the front", async () => {
    const c = new TestClient();
    for (const key of ["a", "b", "c"]) await c.put([[key, 0, "v"]]);
    await c.put([["a", 1, "v2"]]);
    await c.put([["b", -1, "v3"]]);
    expect((await c.listAll()).keys.map((k) => [k.key, k.version])).toEqual([["c", 1n], ["b", 1n], ["a", 2n]]);
    await c.delete("a", -1);
    await c.put([["a", 0, "again"]]);
    expect((await c.listAll()).keys.map((k) => k.key)).toEqual(["a", "c", "b"]);
  });

  it("orders several new keys of one putObjects by item order (later is newer)", async () => {
    const c = new TestClient();
    await c.put(items(["x", "y", "z"]));
    expect((await c.listAll()).keys.map((k) => k.key)).toEqual(["z", "y", "x"]);
  });

  it("page_size 0 returns no keys, an empty token and the global version", async () => {
    const c = new TestClient();
    await c.put(items(["a"]), { globalVersion: 0 });
    const reply = await c.list({ pageSize: 0 });
    expect(reply.message?.keyVersions).toEqual([]);
    expect(reply.message?.nextPageToken).toBe("");
    expect(reply.message?.globalVersion).toBe(1n);
  });

  it("caps the page size at 100 and uses the default when absent", async () => {
    const c = new TestClient();
    await c.put(items(Array.from({ length: 150 }, (_, i) => `k${i}`)));
    expect((await c.list({ pageSize: 1000 })).message?.keyVersions).toHaveLength(100);
    expect((await c.list()).message?.keyVersions).toHaveLength(100);
    expect((await c.list({ pageSize: 7 })).message?.keyVersions).toHaveLength(7);
  });

  it("has no trailing empty page on an exact fit, and marks the last non-empty page with an empty token", async () => {
    const c = new TestClient();
    await c.put(items(Array.from({ length: 10 }, (_, i) => `k${i}`)));
    const exact = await c.listAll({ pageSize: 5 });
    expect(exact.pages.map((p) => p.keyVersions.length)).toEqual([5, 5]);
    expect(exact.pages[0]?.nextPageToken).not.toBe("");
    expect(exact.pages[1]?.nextPageToken).toBe("");
    const ragged = await c.listAll({ pageSize: 4 });
    expect(ragged.pages.map((p) => p.keyVersions.length)).toEqual([4, 4, 2]);
  });

  it("encodes next_page_token as a present empty string and global_version 0 on the first page", async () => {
    const c = new TestClient();
    const body = toBinary(ListKeyVersionsRequestSchema, create(ListKeyVersionsRequestSchema, { storeId: c.storeId }));
    const response = await send("/listKeyVersions", body, { authorization: c.key.header() });
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes]).toEqual([0x12, 0x00, 0x18, 0x00]);
    expect(fromBinary(ListKeyVersionsResponseSchema, bytes).globalVersion).toBe(0n);
  });

  it("omits global_version on later pages and never lists the value or the store version record", async () => {
    const c = new TestClient();
    await c.put(items(["a", "b", "c"]), { globalVersion: 0 });
    const { pages, keys } = await c.listAll({ pageSize: 2 });
    expect(pages[0]?.globalVersion).toBe(1n);
    expect(pages[1]?.globalVersion).toBeUndefined();
    for (const kv of keys) expect(kv.value.byteLength).toBe(0);
    expect(keys.map((k) => k.key)).not.toContain("global_version");
  });

  it("keeps tokens valid and pages disjoint while other clients write", async () => {
    const c = new TestClient();
    await c.put(items(Array.from({ length: 30 }, (_, i) => `k${i}`)));
    const first = await c.list({ pageSize: 10 });
    await c.put(items(["new1", "new2"]));
    await c.delete("k29", -1); // on the first page already
    await c.delete("k15", -1); // not yet listed
    const rest = [];
    let token = first.message?.nextPageToken;
    while (token) {
      const page = await c.list({ pageSize: 10, pageToken: token });
      rest.push(...(page.message?.keyVersions ?? []).map((k) => k.key));
      token = page.message?.nextPageToken;
    }
    const seen = [...(first.message?.keyVersions ?? []).map((k) => k.key), ...rest];
    expect(new Set(seen).size).toBe(seen.length);
    expect(rest).not.toContain("k15");
    expect(rest).not.toContain("new1");
    expect(seen).toHaveLength(29);
  });

  it("matches prefixes literally, case-sensitively and byte-exact, including non-ASCII", async () => {
    const c = new TestClient();
    await c.put(items(["Ab", "ab", "a", "é1", "é2", "e1", "😀x", "😀", "\uffff", "\u{10ffff}z", ""]));
    const keys = async (prefix: string) => (await c.listAll({ prefix })).keys.map((k) => k.key).sort();
    expect(await keys("a")).toEqual(["a", "ab"]);
    expect(await keys("A")).toEqual(["Ab"]);
    expect(await keys("é")).toEqual(["é1", "é2"]);
    expect(await keys("😀")).toEqual(["😀", "😀x"]);
    expect(await keys("\u{10ffff}")).toEqual(["\u{10ffff}z"]);
    expect(await keys("\uffff")).toEqual(["\uffff"]);
    expect((await c.listAll({ prefix: "" })).keys).toHaveLength(11);
  });

  it("lists a dense prefix (creation-order walk) and a rare one (key index) in the same order rules", async () => {
    const c = new TestClient();
    const dense = Array.from({ length: 2100 }, (_, i) => `d/${i}`);
    for (let i = 0; i < dense.length; i += 700) {
      await c.put(items(dense.slice(i, i + 700)));
      await c.put(items([`r/${i}`]));
    }
    const listed = (await c.listAll({ prefix: "d/", pageSize: 100 })).keys.map((k) => k.key);
    expect(listed).toEqual([...dense].reverse());
    expect((await c.listAll({ prefix: "r/", pageSize: 2 })).keys.map((k) => k.key)).toEqual(["r/1400", "r/700", "r/0"]);
  });

  it("bounds the rows one page of a dense prefix examines: old matches behind many newer keys come over several pages", async () => {
    const c = new TestClient();
    const old = Array.from({ length: 2100 }, (_, i) => `p/${i}`);
    for (let i = 0; i < old.length; i += 1000) await c.put(items(old.slice(i, i + 1000)));
    const newer = Array.from({ length: DENSE_SCAN_ROWS + 100 }, (_, i) => `q/${i}`);
    for (let i = 0; i < newer.length; i += 1000) await c.put(items(newer.slice(i, i + 1000)));
    const first = await c.list({ prefix: "p/", pageSize: 100 });
    // The first page examined DENSE_SCAN_ROWS newer keys, found none, and says where the walk goes on.
    expect(first.message?.keyVersions).toEqual([]);
    expect(first.message?.nextPageToken).not.toBe("");
    const { pages, keys } = await c.listAll({ prefix: "p/", pageSize: 100 });
    expect(keys.map((k) => k.key)).toEqual([...old].reverse());
    expect(pages.at(-1)?.nextPageToken).toBe("");
  });

  it("accepts a prefix longer than LIKE's 50-byte pattern limit", async () => {
    const c = new TestClient();
    const long = "p".repeat(300);
    await c.put(items([`${long}1`, `${long}2`, "p"]));
    expect((await c.listAll({ prefix: long })).keys).toHaveLength(2);
  });

  it("refuses a negative page size and tokens it did not issue", async () => {
    const c = new TestClient();
    expectError(await c.list({ pageSize: -1 }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    for (const pageToken of ["", "abc", "-1", "0", "1.5", "99999999999999999999"]) {
      expectError(await c.list({ pageToken }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    }
  });
});
