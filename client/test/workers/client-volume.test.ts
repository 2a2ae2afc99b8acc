// Pagination over hundreds of keys and multi-megabyte values, through the real server.
import { randomBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { listAllKeyVersions, listPages, StorableBuilder } from "../../src/index.js";
import { newClient, sameBytes, text } from "./support.js";

const KEYS = 350;
const BATCH = 100;
const MIB = 1024 * 1024;
/** getRandomValues fills at most 64 KiB per call. */
const RANDOM_CHUNK = 65_536;

function randomValue(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += RANDOM_CHUNK) crypto.getRandomValues(bytes.subarray(i, i + RANDOM_CHUNK));
  return bytes;
}

describe("volume", () => {
  it(`lists ${KEYS} keys page by page, newest first, with prefixes`, async () => {
    const client = newClient();
    const storeId = "many";
    const names = Array.from({ length: KEYS }, (_, i) => `${i % 2 ? "odd" : "even"}/${String(i).padStart(4, "0")}`);
    for (let i = 0; i < KEYS; i += BATCH) {
      const transactionItems = names.slice(i, i + BATCH).map((key) => ({ key, version: -1n, value: text(key) }));
      await client.putObjects({ storeId, transactionItems });
    }

    const pages = [];
    for await (const page of listPages(client, { storeId, pageSize: 50 })) pages.push(page);
    expect(pages).toHaveLength(KEYS / 50);
    expect(pages.every((page) => page.keyVersions.length <= 50)).toBe(true);
    expect(pages[0]?.globalVersion).toBe(0n);
    expect(pages[1]?.globalVersion).toBeUndefined();
    expect(pages.flatMap((page) => page.keyVersions.map((kv) => kv.key))).toEqual([...names].reverse());

    const all = await listAllKeyVersions(client, { storeId });
    expect(all.keys).toHaveLength(KEYS);
    expect(new Set(all.keys.map((kv) => kv.key)).size).toBe(KEYS);
    expect(all.keys.every((kv) => kv.version === 1n && kv.value.length === 0)).toBe(true);

    const odd = await listAllKeyVersions(client, { storeId, prefix: "odd/", pageSize: 7 });
    expect(odd.keys.map((kv) => kv.key)).toEqual(names.filter((key) => key.startsWith("odd/")).reverse());
  });

  it("stores and reads back a multi-megabyte encrypted value byte-exact", async () => {
    const client = newClient({ timeoutMs: 30_000 });
    const builder = new StorableBuilder(randomBytes(32));
    const plain = randomValue(6 * MIB);
    const aad = text("big#value");
    const sealed = builder.seal(plain, -1, aad);
    await client.putObjects({ storeId: "big", transactionItems: [{ key: "value", version: -1n, value: sealed }] });
    const read = await client.getObject({ storeId: "big", key: "value" });
    expect(sameBytes(read.value, sealed)).toBe(true);
    const opened = builder.open(read.value, aad).value;
    expect(opened.length).toBe(plain.length);
    expect(sameBytes(opened, plain)).toBe(true);
  });
});
