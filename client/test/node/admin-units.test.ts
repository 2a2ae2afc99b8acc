import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ExportFormatError, itemHead, jsonFrame, MAGIC, readExport, FRAME_END, FRAME_HEADER } from "../../src/cli/commands/admin/frames.js";
import { identityOf, userTokenOf } from "../../src/cli/commands/admin/identity-map.js";
import { createHash } from "node:crypto";

/** A well-formed export of `items`, built from the format's pieces. */
function exportOf(items: [string, bigint, Buffer][]): Buffer {
  const body = Buffer.concat([
    MAGIC,
    jsonFrame(FRAME_HEADER, { identity: "jwt:a", storeId: "", globalVersion: "4", keys: items.length }),
    ...items.flatMap(([key, version, value]) => [itemHead(key, version, value.length), value]),
  ]);
  const end = { keys: items.length, valueBytes: items.reduce((n, [, , v]) => n + v.length, 0), sha256: createHash("sha256").update(body).digest("hex") };
  return Buffer.concat([body, jsonFrame(FRAME_END, end)]);
}

const chunks = (bytes: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

describe("admin export files", () => {
  const items: [string, bigint, Buffer][] = [["\uFEFFbom", 3n, Buffer.from("x")], ["empty", 1n, Buffer.alloc(0)], ["ü/😀", 9n, Buffer.alloc(70_000, 7)]];

  it("reads back every item byte-exact, whatever the chunking", async () => {
    for (const size of [13, 4096, 1 << 20]) {
      const seen: [string, bigint, Buffer][] = [];
      const { header, end } = await readExport(chunks(exportOf(items), size), { onItem: (item) => void seen.push([item.key, item.version, Buffer.from(item.value)]) });
      expect(seen).toEqual(items);
      expect(header.globalVersion).toBe("4");
      expect(end.keys).toBe(3);
    }
  });

  it("refuses a truncated, damaged or extended file", async () => {
    const good = exportOf(items);
    const damaged = Buffer.from(good);
    damaged[good.length - 200] = (damaged[good.length - 200] ?? 0) ^ 1;
    for (const bad of [good.subarray(0, good.length - 10), good.subarray(0, 60), damaged, Buffer.concat([good, Buffer.from("x")]), Buffer.from("not an export")]) {
      await expect(readExport(chunks(bad, 1000))).rejects.toBeInstanceOf(ExportFormatError);
    }
  });
});

describe("admin identity mapping", () => {
  const pubkey = "02" + "ab".repeat(32);
  it("maps user tokens by scheme", () => {
    expect(identityOf(pubkey.toUpperCase(), "auto")).toEqual({ identity: `sigs:${pubkey}` });
    expect(identityOf("unauth-user", "auto")).toEqual({ identity: "none:unauth-user" });
    expect(identityOf("alice", "auto")).toEqual({ identity: "jwt:alice" });
    expect(identityOf(pubkey, "jwt")).toEqual({ identity: `jwt:${pubkey}` });
    expect(identityOf(pubkey, "lnurl")).toEqual({ identity: `lnurl:${pubkey}` });
    expect(identityOf("alice", "sigs")).toHaveProperty("skip");
    expect(identityOf("alice", "none")).toHaveProperty("skip");
    expect(userTokenOf("jwt:a:b")).toBe("a:b");
  });
});
