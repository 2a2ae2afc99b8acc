import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { ListKeyVersionsRequestSchema } from "../../src/gen/vss_pb";
import { send, TestClient } from "../support/vss";

/** The keys of a ListKeyVersionsResponse, read straight off the wire (no string decoding by protobuf-es). */
function wireKeys(body: Uint8Array): Uint8Array[] {
  const keys: Uint8Array[] = [];
  const reader = new BinaryReader(body);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field !== 1) {
      reader.skip(wireType);
      continue;
    }
    const item = new BinaryReader(reader.bytes());
    while (item.pos < item.len) {
      const [inner, innerType] = item.tag();
      if (inner === 1) keys.push(item.bytes());
      else item.skip(innerType);
    }
  }
  return keys;
}

/** CONTRACT.md §3: keys are compared byte-exact; two distinct keys never alias (issue 8: U+FEFF). */
describe("byte-exact keys", () => {
  it("keeps a key that begins with U+FEFF apart from the same key without it", async () => {
    const c = new TestClient("bom");
    expect((await c.put([["\uFEFFbom", 0, "with mark"], ["bom", 0, "without"]])).status).toBe(200);
    expect(await c.read("\uFEFFbom")).toEqual({ version: 1, value: "with mark" });
    expect(await c.read("bom")).toEqual({ version: 1, value: "without" });
    const listed = (await c.listAll()).keys.map((kv) => kv.key);
    expect(listed).toEqual(["bom", "\uFEFFbom"]);
    expect((await c.list({ prefix: "\uFEFF" })).message?.keyVersions.map((kv) => kv.key)).toEqual(["\uFEFFbom"]);
  });

  it("sends the mark back on the wire: EF BB BF then the key", async () => {
    const c = new TestClient("bom-wire");
    await c.put([["\uFEFF\uFEFFk", 0, "v"]]);
    const body = toBinary(ListKeyVersionsRequestSchema, create(ListKeyVersionsRequestSchema, { storeId: "bom-wire" }));
    const response = await send("/listKeyVersions", body, { authorization: c.key.header() });
    expect(wireKeys(new Uint8Array(await response.arrayBuffer()))).toEqual([new Uint8Array([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x6b])]);
  });
});
