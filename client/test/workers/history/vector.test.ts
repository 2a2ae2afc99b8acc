// The digest's test vector (docs/history-client.md): a fixed scenario computed by the client's implementation,
// checked against fixed hex, against the server's own digest code, and end to end against the real Worker.
import { hexToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { baseDigest, compareKeyBytes, genesisDigest, revisionDigest, valueSha256, verifyHistory, ZERO_DIGEST, type HistoryChange } from "../../../src/index.js";
import { text } from "../support.js";
import { Wallet } from "./support.js";

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const written = (key: string, version: bigint, value: string): HistoryChange => ({ key, deleted: false, version, valueSha256: valueSha256(text(value)) });
const deleted = (key: string): HistoryChange => ({ key, deleted: true, version: 0n, valueSha256: ZERO_DIGEST });

/** The vector's inputs, as docs/history-client.md states them. */
const INCARNATION = hexToBytes("000102030405060708090a0b0c0d0e0f");
const STORE_ID = "vector-store";
const REVISIONS: { revision: bigint; globalVersion: bigint; changes: HistoryChange[] }[] = [
  { revision: 1n, globalVersion: 1n, changes: [written("\u{1F600}", 1n, "grin"), written("\uFF61", 1n, "half-width"), written("ab", 1n, ""), written("a", 1n, "alpha")] },
  { revision: 2n, globalVersion: 1n, changes: [written("a", 2n, "alpha 2"), deleted("ab")] },
  { revision: 3n, globalVersion: 2n, changes: [] },
];
const LIVE_AFTER_3 = [written("a", 2n, "alpha 2"), written("\uFF61", 1n, "half-width"), written("\u{1F600}", 1n, "grin")];

/** The digests, as docs/history-client.md quotes them. */
const EXPECTED = {
  genesis: "b529fa12517957308ddfbbadc5efe13fb712aa4209f526663cd558a8408309ab",
  revisions: [
    "981d27793699ba1f2562411cedc7e4bed70449d7e441c956b94fd46658a946ec",
    "6707e94798e26adbaecb3ecdab46abf9ff8affb5650034fc33b37c5ecd4f3bfc",
    "f89a4c9ef3ab065049417be485d30c0ad458cfc4cb882772054567709429856e",
  ],
  base: "fb1189836ea3bfe1f2f6bb5be1fa446a6205fae890e7fb10e8f90b014e2d2376",
};

/** The server's digest module, loaded by a specifier the client's typecheck does not follow (no server types). */
type ServerChange = { key: string; deleted: boolean; version: number; valueSha256: Uint8Array };
type ServerDigest = {
  genesisDigest(incarnation: Uint8Array, storeId: string): Uint8Array;
  sortChanges<T extends { key: string }>(changes: T[]): T[];
  revisionDigest(previous: Uint8Array, revision: number, globalVersion: number, sorted: readonly ServerChange[]): Uint8Array;
  baseDigestOf(genesis: Uint8Array, revision: number, globalVersion: number, count: number): { add(change: ServerChange): void; digest(): Uint8Array };
};
const SERVER_DIGEST = "../../../../src/store/history/digest";

function computed() {
  const genesis = genesisDigest(INCARNATION, STORE_ID);
  const revisions: Uint8Array[] = [];
  let previous = genesis;
  for (const r of REVISIONS) revisions.push((previous = revisionDigest(previous, r.revision, r.globalVersion, r.changes)));
  return { genesis, revisions, base: baseDigest(genesis, 3n, 2n, LIVE_AFTER_3) };
}

describe("the digest's test vector", () => {
  it("orders keys by their UTF-8 bytes, not by JavaScript's string order", () => {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    expect("\u{1F600}" < "\uFF61").toBe(true); // UTF-16: D83D DE00 before FF61
    expect(compareKeyBytes(utf8("\uFF61"), utf8("\u{1F600}"))).toBeLessThan(0); // UTF-8: EF BD A1 before F0 9F 98 80
    expect(compareKeyBytes(utf8("a"), utf8("ab"))).toBeLessThan(0);
  });

  it("gives the documented digests", () => {
    const { genesis, revisions, base } = computed();
    expect({ genesis: hex(genesis), revisions: revisions.map(hex), base: hex(base) }).toEqual(EXPECTED);
  });

  it("is what the server's own digest code computes", async () => {
    const server = (await import(/* @vite-ignore */ SERVER_DIGEST)) as ServerDigest;
    const toServer = (c: HistoryChange): ServerChange => ({ ...c, version: Number(c.version) });
    const genesis = server.genesisDigest(INCARNATION, STORE_ID);
    let previous = genesis;
    const revisions = REVISIONS.map((r) => (previous = server.revisionDigest(previous, Number(r.revision), Number(r.globalVersion), server.sortChanges(r.changes.map(toServer)))));
    const base = server.baseDigestOf(genesis, 3, 2, LIVE_AFTER_3.length);
    for (const change of server.sortChanges(LIVE_AFTER_3.map(toServer))) base.add(change);
    expect({ genesis: hex(genesis), revisions: revisions.map(hex), base: hex(base.digest()) }).toEqual(EXPECTED);
  });

  it("recomputes the real Worker's chain for the same writes (its own random incarnation)", async () => {
    const client = new Wallet().client();
    await client.putObjects({ storeId: STORE_ID, globalVersion: 0n, transactionItems: [["\u{1F600}", "grin"], ["\uFF61", "half-width"], ["ab", ""], ["a", "alpha"]].map(([key, value]) => ({ key, version: 0n, value: text(value as string) })) });
    await client.putObjects({ storeId: STORE_ID, transactionItems: [{ key: "a", version: 1n, value: text("alpha 2") }], deleteItems: [{ key: "ab", version: 1n }] });
    await client.putObjects({ storeId: STORE_ID, transactionItems: [], globalVersion: 1n });
    const page = await client.getHistory({ storeId: STORE_ID, afterRevision: 0n });
    let previous = genesisDigest(page.incarnation, STORE_ID);
    for (const [i, r] of REVISIONS.entries()) {
      previous = revisionDigest(previous, r.revision, r.globalVersion, r.changes);
      expect(hex(page.revisions[i]?.digest ?? ZERO_DIGEST), `revision ${r.revision}`).toBe(hex(previous));
    }
    expect(hex(page.headDigest)).toBe(hex(previous));
    const report = await verifyHistory(client, STORE_ID);
    expect(report).toMatchObject({ recomputed: 3, base: { revision: 0n, genesis: true }, head: { revision: 3n, digest: hex(previous) } });
  });
});
