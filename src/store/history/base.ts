import type { StoreSql } from "../sql";
import { baseDigestOf, genesisDigest, INCARNATION_BYTES } from "./digest";
import { eachLiveKey } from "./whole-store";

/**
 * HISTORY.md §3, "Stores that exist before this extension": a store already at revision R0 > 0 without an
 * incarnation is given one now, and its chain starts from its live state: D(R0) over one written change per live
 * key. Its records begin at R0 + 1. Runs once per store, the first time a call names it after the upgrade, in one
 * transaction (a few seconds for a store of a GiB, whose values are hashed once); later calls find it done.
 */
export function ensureBase(storage: DurableObjectStorage, db: StoreSql, storeId: string): void {
  if (db.historyReady) return;
  storage.transactionSync(() => {
    const meta = db.meta();
    if (meta.revision === 0 || meta.incarnation !== null) return;
    const incarnation = crypto.getRandomValues(new Uint8Array(INCARNATION_BYTES));
    const digest = baseDigestOf(genesisDigest(incarnation, storeId), meta.revision, meta.globalVersion, db.live.count());
    eachLiveKey(db, db.live, (change) => digest.add(change));
    db.setBase(incarnation, meta.revision + 1, digest.digest());
  });
  db.historyReady = true;
}
