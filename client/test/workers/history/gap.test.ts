// HISTORY.md §6: a span the server no longer retains cannot be proven; the client's policy decides (default: accept
// and report). The history is pruned as a real server prunes it: over a tight allowance, records past retention.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { UnverifiableGapError, verifyHistory, type FetchFunction } from "../../../src/index.js";
import { text } from "../support.js";
import { fetchWithVars, Wallet } from "./support.js";

const DAY_MS = 86_400_000;
const TIGHT = { VSS_HISTORY_BYTES: String(64 * 1024), VSS_HISTORY_RETENTION_DAYS: "1", VSS_HISTORY_VALUES_DAYS: "0" };

/** 30 revisions of 20 long keys each (well over 64 KiB of records), the first 20 backdated two days, then pruned. */
async function prunedStore(wallet: Wallet, storeId: string, fetch: FetchFunction): Promise<void> {
  const other = wallet.client({ fetch });
  for (let r = 0; r < 30; r++) {
    await other.putObjects({ storeId, transactionItems: Array.from({ length: 20 }, (_, i) => ({ key: `${"k".repeat(100)}-${i}`, version: -1n, value: text(`${r}`) })) });
  }
  await runInDurableObject(wallet.store(storeId), (_instance, state) => {
    state.storage.sql.exec("UPDATE revisions SET committed_at = ? WHERE revision <= 21", Date.now() - 2 * DAY_MS);
  });
  expect(await runDurableObjectAlarm(wallet.store(storeId))).toBe(true);
}

describe("a gap in the retained history", () => {
  it("is accepted and reported by default; the checkpoint goes on from the server's digest", async () => {
    const wallet = new Wallet();
    const fetch = await fetchWithVars(TIGHT);
    const { client, gaps, checkpoint } = wallet.verifying({}, { fetch });
    const storeId = "gap-accepted";
    await client.putObjects({ storeId, transactionItems: [{ key: "mine", version: 0n, value: text("m") }] });
    await prunedStore(wallet, storeId, fetch);
    const oldest = (await wallet.client({ fetch }).getHistory({ storeId, afterRevision: 0n, pageSize: 1 })).oldestRevision;
    expect(oldest).toBeGreaterThan(2n);
    await client.getObject({ storeId, key: "mine" });
    expect(gaps).toEqual([{ storeId, fromRevision: 1n, toRevision: oldest - 1n }]);
    expect((await checkpoint(storeId))?.revision).toBe(31n);

    const report = await verifyHistory(wallet.client({ fetch }), storeId);
    expect(report.base).toMatchObject({ revision: oldest - 1n, genesis: false });
    expect(report.chain.complete).toBe(false);
    expect(report.head.digest).toBe((await checkpoint(storeId))?.digest);
    const fromOld = await verifyHistory(wallet.client({ fetch }), storeId, { from: { revision: 1n, digest: "" } }).catch((error: unknown) => error);
    expect((fromOld as Error).message).toMatch(/fork: .*digest of revision 1/);
  });

  it("is refused by a policy that says so: UnverifiableGapError, and the checkpoint stays", async () => {
    const wallet = new Wallet();
    const fetch = await fetchWithVars(TIGHT);
    const { client, checkpoint } = wallet.verifying({ onGap: () => false }, { fetch });
    const storeId = "gap-refused";
    await client.putObjects({ storeId, transactionItems: [{ key: "mine", version: 0n, value: text("m") }] });
    const proven = await checkpoint(storeId);
    await prunedStore(wallet, storeId, fetch);
    const refused = await client.getObject({ storeId, key: "mine" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnverifiableGapError);
    expect(refused).toMatchObject({ kind: "unverifiable-gap", gap: { fromRevision: 1n } });
    expect(await checkpoint(storeId)).toEqual(proven);
  });
});
