import { describe, expect, it } from "vitest";
import { admin, concat, itemFrame, parseExport, storeQuery } from "../support/admin";
import { deletedChange, genesis, headOf, hex, HistoryClient, nextDigest, recordDigest, written, ZEROS } from "../support/history-chain";
import { SigsKey } from "../support/sigs";

const bytes = (text: string) => new TextEncoder().encode(text);
const unhex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

async function begin(identity: string, storeId: string, body: Record<string, unknown>) {
  const response = await admin(`/store/import/begin?${storeQuery(identity, storeId)}`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { importId: string }).importId;
}

async function importItems(identity: string, storeId: string, items: [string, number, string][], body: Record<string, unknown> = {}) {
  const importId = await begin(identity, storeId, { source: `test-${Math.random()}`, ...body });
  const frames = items.map(([key, version, value]) => itemFrame(key, version, bytes(value)));
  const sent = await admin(`/store/import/items?${storeQuery(identity, storeId)}&import_id=${importId}&from=0`, { method: "POST", body: concat(frames) });
  expect(sent.status).toBe(200);
  const committed = await admin(`/store/import/commit?${storeQuery(identity, storeId)}&import_id=${importId}`, { method: "POST", body: JSON.stringify({ keys: items.length, globalVersion: 3 }) });
  expect(committed.status, await committed.clone().text()).toBe(200);
}

/** HISTORY.md §3: exports carry the chain; imports are one revision, continuing the exported chain when named. */
describe("history across export and import", () => {
  it("continues the exported chain in an empty store: one revision for the import, chained from the exported head", async () => {
    const key = new SigsKey();
    const identity = `sigs:${key.publicKeyHex}`;
    const source = new HistoryClient("moving", key);
    await source.put([["a", 0, "1"], ["b", 0, "2"]]);
    await source.put([["a", 1, "3"]]);
    const exported = await parseExport(new Uint8Array(await (await admin(`/store/export?${storeQuery(identity, "moving")}`)).arrayBuffer()));
    expect(exported.header).toMatchObject({ headRevision: "2", headDigest: headOf(await source.get("a")).digest });
    // Into another identity's empty store, as a migration to another deployment would.
    const other = new SigsKey();
    const target = new HistoryClient("moving", other);
    const { incarnation, headRevision, headDigest } = exported.header;
    await importItems(`sigs:${other.publicKeyHex}`, "moving", exported.items.map((i): [string, number, string] => [i.key, i.version, new TextDecoder().decode(i.value)]), { incarnation, headRevision, headDigest });
    const page = (await target.history(0)).message;
    expect(page).toMatchObject({ headRevision: 3n, oldestRevision: 3n });
    expect(hex(page?.incarnation ?? ZEROS)).toBe(incarnation);
    expect(hex(page?.baseDigest ?? ZEROS)).toBe(headDigest);
    const expected = nextDigest(unhex(headDigest ?? ""), 3n, 3n, [written("a", 2, "3"), written("b", 1, "2")]);
    expect(hex(page?.headDigest ?? ZEROS)).toBe(hex(expected));
    expect(hex(recordDigest(unhex(headDigest ?? ""), page?.revisions[0] as never))).toBe(hex(expected));
  });

  it("makes an import into an empty store without a chain its first revision, from a new incarnation", async () => {
    const key = new SigsKey();
    await importItems(`sigs:${key.publicKeyHex}`, "fresh", [["x", 4, "y"]]);
    const page = (await new HistoryClient("fresh", key).history(0)).message;
    expect(page).toMatchObject({ headRevision: 1n, oldestRevision: 1n });
    expect(hex(page?.headDigest ?? ZEROS)).toBe(hex(nextDigest(genesis(page?.incarnation ?? ZEROS, "fresh"), 1n, 3n, [written("x", 4, "y")])));
  });

  it("makes a replacing import the next revision of the store's own chain: written keys and removed ones", async () => {
    const key = new SigsKey();
    const wallet = new HistoryClient("replaced", key);
    await wallet.put([["old", 0, "o"], ["kept", 0, "k"]]);
    const head = headOf(await wallet.get("old"));
    await importItems(`sigs:${key.publicKeyHex}`, "replaced", [["kept", 1, "K"], ["new", 1, "n"]], { replace: true });
    const page = (await wallet.history(0)).message;
    expect(page).toMatchObject({ headRevision: 2n, oldestRevision: 2n });
    expect(hex(page?.baseDigest ?? ZEROS)).toBe(head.digest);
    const expected = nextDigest(unhex(head.digest), 2n, 3n, [written("kept", 1, "K"), written("new", 1, "n"), deletedChange("old")]);
    expect(hex(page?.headDigest ?? ZEROS)).toBe(hex(expected));
    expect(page?.revisions.map((r) => r.revision)).toEqual([1n, 2n]);
    expect(page?.revisions[0]?.changesPruned).toBe(true);
  });

  it("records an aborted replace as a revision that removed the old keys", async () => {
    const key = new SigsKey();
    const identity = `sigs:${key.publicKeyHex}`;
    const wallet = new HistoryClient("aborted", key);
    await wallet.put([["gone", 0, "g"]]);
    const head = headOf(await wallet.get("gone"));
    await begin(identity, "aborted", { source: "s", replace: true });
    expect((await admin(`/store/import/abort?${storeQuery(identity, "aborted")}`, { method: "POST" })).status).toBe(200);
    const page = (await wallet.history(0)).message;
    expect(page?.headRevision).toBe(2n);
    expect(hex(page?.headDigest ?? ZEROS)).toBe(hex(nextDigest(unhex(head.digest), 2n, 0n, [deletedChange("gone")])));
    expect((await wallet.get("gone")).status).toBe(404);
  });
});
