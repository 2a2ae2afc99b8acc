import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { expectError, TestClient } from "../support/vss";

/** The upstream store conformance scenarios (CONTRACT.md §9), driven over HTTP with protobuf bodies. */
describe("upstream conformance scenarios", () => {
  it("1: single-object puts with global versions", async () => {
    const c = new TestClient();
    expect((await c.put([["k1", 0, "a"]], { globalVersion: 0 })).status).toBe(200);
    expect((await c.put([["k1", 1, "b"]], { globalVersion: 1 })).status).toBe(200);
    expect((await c.put([["k2", -1, "c"]], { globalVersion: 2 })).status).toBe(200);
    expect((await c.put([["k2", -1, "d"]], { globalVersion: 3 })).status).toBe(200);
    expect((await c.put([["k2", -1, "e"]], { globalVersion: 4 })).status).toBe(200);
    expect(await c.read("k1")).toEqual({ version: 2, value: "b" });
    expect(await c.read("k2")).toEqual({ version: 1, value: "e" });
    expect((await c.read("global_version")).version).toBe(5);
  });

  it("2: multi-object puts", async () => {
    const c = new TestClient();
    expect((await c.put([["a", 0, "1"], ["b", 0, "1"]], { globalVersion: 0 })).status).toBe(200);
    expect((await c.put([["a", 1, "2"], ["b", 1, "2"]], { globalVersion: 1 })).status).toBe(200);
    expect(await c.read("a")).toEqual({ version: 2, value: "2" });
    expect(await c.read("b")).toEqual({ version: 2, value: "2" });
    expect((await c.read("global_version")).version).toBe(2);
  });

  it("3: a key version mismatch conflicts and changes nothing", async () => {
    const c = new TestClient();
    await c.put([["k", 0, "v1"]], { globalVersion: 0 });
    expectError(await c.put([["k", 5, "v2"]], { globalVersion: 1 }), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(await c.read("k")).toEqual({ version: 1, value: "v1" });
    expect((await c.read("global_version")).version).toBe(1);
  });

  it("4: one mismatched key in a multi-object put changes no key", async () => {
    const c = new TestClient();
    await c.put([["a", 0, "a1"], ["b", 0, "b1"]]);
    expectError(await c.put([["a", 1, "a2"], ["b", 7, "b2"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(await c.read("a")).toEqual({ version: 1, value: "a1" });
    expect(await c.read("b")).toEqual({ version: 1, value: "b1" });
  });

  it("5: a global version mismatch conflicts and leaves the key unchanged", async () => {
    const c = new TestClient();
    await c.put([["k", 0, "v1"]], { globalVersion: 0 });
    expectError(await c.put([["k", 1, "v2"]], { globalVersion: 0 }), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(await c.read("k")).toEqual({ version: 1, value: "v1" });
    expect((await c.read("global_version")).version).toBe(1);
  });

  it("6: without global versions puts work and global_version reads 0", async () => {
    const c = new TestClient();
    await c.put([["k", 0, "v1"]]);
    await c.put([["k", 1, "v2"]]);
    expect(await c.read("k")).toEqual({ version: 2, value: "v2" });
    const gv = await c.get("global_version");
    expect(gv.status).toBe(200);
    expect(gv.message?.value?.version).toBe(0n);
    expect(gv.message?.value?.value.byteLength).toBe(0);
    expect(gv.message?.value?.key).toBe("global_version");
  });

  describe("7: put + delete are atomic", () => {
    it("success applies the put and removes the deleted key", async () => {
      const c = new TestClient();
      await c.put([["old", 0, "x"], ["keep", 0, "y"]], { globalVersion: 0 });
      expect((await c.put([["new", 0, "z"]], { globalVersion: 1, deletes: [["old", 1]] })).status).toBe(200);
      expect((await c.get("old")).status).toBe(404);
      expect(await c.read("new")).toEqual({ version: 1, value: "z" });
      expect((await c.read("global_version")).version).toBe(2);
    });

    for (const [name, put, del, gv] of [
      ["a wrong delete version", 0, 9, 1],
      ["a wrong put version", 3, 1, 1],
      ["a wrong global version", 0, 1, 7],
    ] as const) {
      it(`${name} conflicts with nothing applied`, async () => {
        const c = new TestClient();
        await c.put([["old", 0, "x"]], { globalVersion: 0 });
        expectError(await c.put([["new", put, "z"]], { globalVersion: gv, deletes: [["old", del]] }), 409, ErrorCode.CONFLICT_EXCEPTION);
        expect(await c.read("old")).toEqual({ version: 1, value: "x" });
        expect((await c.get("new")).status).toBe(404);
        expect((await c.read("global_version")).version).toBe(1);
      });
    }
  });

  it("8–10: deleteObject by exact version and by -1, missing and repeated deletes are OK", async () => {
    const c = new TestClient();
    await c.put([["a", 0, "1"], ["b", 0, "1"]]);
    await c.put([["a", 1, "2"]]);
    expect((await c.delete("a", 1)).status).toBe(200); // mismatch: not an error, nothing deleted
    expect(await c.read("a")).toEqual({ version: 2, value: "2" });
    expect((await c.delete("a", 2)).status).toBe(200);
    expect((await c.get("a")).status).toBe(404);
    expect((await c.delete("b", -1)).status).toBe(200);
    expect((await c.get("b")).status).toBe(404);
    expect((await c.delete("never", -1)).status).toBe(200);
    expect((await c.delete("b", -1)).status).toBe(200);
  });

  it("11–12: get of a missing key is NO_SUCH_KEY; gets follow a sequence of puts", async () => {
    const c = new TestClient();
    expectError(await c.get("missing"), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
    await c.put([["k", 0, "one"]]);
    await c.put([["k", 1, "two"]]);
    await c.put([["k", 2, ""]]);
    const reply = await c.get("k");
    expect(reply.message?.value).toMatchObject({ key: "k", version: 3n });
    expect(reply.message?.value?.value.byteLength).toBe(0);
  });

  it("13: 1000 keys put one by one with global versions, then three updates, page through with the default size", async () => {
    const c = new TestClient();
    let gv = 0;
    for (let i = 0; i < 1000; i++) await c.put([[`k${i}`, 0, `v${i}`]], { globalVersion: gv++ });
    for (let i = 0; i < 3; i++) await c.put([[`k${i}`, 1, "u"]], { globalVersion: gv++ });
    const { pages, keys } = await c.listAll();
    expect(new Set(keys.map((k) => k.key)).size).toBe(1000);
    expect(keys).toHaveLength(1000);
    for (const kv of keys) expect(kv.version).toBe(["k0", "k1", "k2"].includes(kv.key) ? 2n : 1n);
    expect(pages[0]?.globalVersion).toBe(1003n);
    for (const page of pages.slice(1)) expect(page.globalVersion).toBeUndefined();
    expect(pages.at(-1)?.nextPageToken).toBe("");
  });

  it("14: prefix with page size 5 yields the 11 keys starting with 1", async () => {
    const c = new TestClient();
    await c.put(Array.from({ length: 20 }, (_, i) => [`${i}k`, 0, "v"] as [string, number, string]));
    const { pages, keys } = await c.listAll({ prefix: "1", pageSize: 5 });
    for (const page of pages) expect(page.keyVersions.length).toBeLessThanOrEqual(5);
    expect(keys.map((k) => k.key).sort()).toEqual(["10k", "11k", "12k", "13k", "14k", "15k", "16k", "17k", "18k", "19k", "1k"]);
  });

  it("15: without global versioning the first page carries global version 0", async () => {
    const c = new TestClient();
    for (let i = 0; i < 10; i++) await c.put(Array.from({ length: 100 }, (_, j) => [`k${i}-${j}`, -1, "v"] as [string, number, string]));
    const { pages, keys } = await c.listAll();
    expect(keys).toHaveLength(1000);
    expect(pages[0]?.globalVersion).toBe(0n);
  });

  it("16: 10 000 keys page at most 100 at a time", async () => {
    const c = new TestClient();
    for (let i = 0; i < 10; i++) await c.put(Array.from({ length: 1000 }, (_, j) => [`k${i * 1000 + j}`, 0, "v"] as [string, number, string]));
    const { pages, keys } = await c.listAll({ pageSize: 1000 });
    for (const page of pages) expect(page.keyVersions.length).toBeLessThanOrEqual(100);
    expect(new Set(keys.map((k) => k.key)).size).toBe(10_000);
  });

  it("17–18: creation order is newest first, also page by page with a prefix", async () => {
    const c = new TestClient();
    for (const key of ["z", "a", "m"]) await c.put([[key, 0, "v"]]);
    expect((await c.listAll()).keys.map((k) => k.key)).toEqual(["m", "a", "z"]);
    for (const key of ["p/z", "p/a", "p/m", "q/x"]) await c.put([[key, 0, "v"]]);
    const { pages, keys } = await c.listAll({ prefix: "p/", pageSize: 1 });
    expect(keys.map((k) => k.key)).toEqual(["p/m", "p/a", "p/z"]);
    expect(pages).toHaveLength(3);
  });

  it("19: prefixes with %, _ and \\ match literally", async () => {
    const c = new TestClient();
    await c.put(["a%b", "axb", "a_c", "ayc", "a\\d", "a\\\\d", "%", "_"].map((k) => [k, 0, "v"] as [string, number, string]));
    const keys = async (prefix: string) => (await c.listAll({ prefix })).keys.map((k) => k.key).sort();
    expect(await keys("a%")).toEqual(["a%b"]);
    expect(await keys("a_")).toEqual(["a_c"]);
    expect(await keys("a\\")).toEqual(["a\\\\d", "a\\d"]);
    expect(await keys("%")).toEqual(["%"]);
    expect(await keys("_")).toEqual(["_"]);
  });
});
