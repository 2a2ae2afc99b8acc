import { compareKeys, genesisDigest, INCARNATION_BYTES, revisionDigestOf, type DigestChange } from "../history/digest";
import { CHANGE_RECORD_BYTES } from "../history/history-sql";
import { eachLiveKey, eachVanishedKey } from "../history/whole-store";
import type { StoreSql } from "../sql";

/** The chain an import continues: the exported store's incarnation and head (docs/export-format.md). */
export interface ExportedChain {
  incarnation: Uint8Array;
  revision: number;
  digest: Uint8Array;
}

const utf8 = new TextEncoder();
const deleted = (key: string): DigestChange => ({ key, deleted: true, version: 0, valueSha256: new Uint8Array(32) });

/**
 * A committed (or, after a replace, aborted) import as one revision of the store, inside its transaction, once the
 * data and global version are final (HISTORY.md §3, MULTIDEVICE.md §5). Its changes are every key the import wrote
 * and every key it removed (live before, held no more). It continues the store's own chain; a store never written
 * continues the exported chain the import names, or starts a new incarnation at revision 1. Records before it
 * described data the import replaced: they are dropped (every revision's digest stays), and the change feed of a
 * store that had revisions counts its earlier history as pruned, so a device that synced before is told to reset.
 * Returns the revision and its digest.
 */
export function recordImportRevision(db: StoreSql, storeId: string, continued: ExportedChain | null, now: number): { revision: number; digest: Uint8Array } {
  const meta = db.meta();
  let incarnation: Uint8Array;
  let previous: Uint8Array;
  let revision: number;
  if (meta.revision > 0 && meta.incarnation && meta.headDigest) {
    [incarnation, previous, revision] = [meta.incarnation, meta.headDigest, meta.revision + 1];
  } else if (continued) {
    [incarnation, previous, revision] = [continued.incarnation, continued.digest, continued.revision + 1];
  } else {
    incarnation = crypto.getRandomValues(new Uint8Array(INCARNATION_BYTES));
    [previous, revision] = [genesisDigest(incarnation, storeId), 1];
  }
  const vanished: string[] = [];
  eachVanishedKey(db.live, (key) => vanished.push(key));
  const digest = revisionDigestOf(previous, revision, meta.globalVersion, db.live.count() + vanished.length);
  let bytes = 0;
  const emit = (change: DigestChange) => {
    digest.add(change);
    db.history.insertChange({ revision, key: change.key, deleted: change.deleted, version: change.version, valueSha256: change.deleted ? null : change.valueSha256 });
    bytes += CHANGE_RECORD_BYTES + utf8.encode(change.key).byteLength;
  };
  let next = 0;
  eachLiveKey(db, db.live, (change) => {
    while (next < vanished.length && compareKeys(vanished[next] ?? "", change.key) < 0) emit(deleted(vanished[next++] ?? ""));
    emit(change);
  });
  while (next < vanished.length) emit(deleted(vanished[next++] ?? ""));
  const headDigest = digest.digest();
  db.history.pruneRecordsThrough(revision - 1);
  db.history.insertRevision({ revision, digest: headDigest, committedAt: now, globalVersion: meta.globalVersion });
  db.restartHistory({ revision, headDigest, incarnation, baseDigest: previous, historyBytes: bytes });
  db.changes.replaceWithObjects(revision, now, meta.revision > 0 ? revision : 0);
  db.live.writtenBy(revision);
  return { revision, digest: headDigest };
}
