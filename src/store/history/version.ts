import { GLOBAL_VERSION_KEY, RPC_VALUE_BUDGET_BYTES } from "../limits";
import type { StoreSql } from "../sql";
import type { StoredObject } from "../types";

/** getVersion's answer (HISTORY.md §4): the key's state after a revision, its absence, or why it cannot be shown. */
export type VersionAnswer =
  | { kind: "found"; revision: number; object: StoredObject }
  | { kind: "missing" }
  | { kind: "invalid"; message: string }
  | { kind: "pruned"; message: string };

/**
 * getVersion: the key's state just after `revision` — the version current then, from the revision of the change that
 * made it. That is the live value when its last change is at or before `revision`; otherwise the past version that
 * was current then (kept until its records are pruned), with its bytes while they are retained. A key that had no
 * version then did not exist. A revision below the retained records, or a value whose bytes are gone, is `pruned`.
 * A large value comes with its first chunks, up to `chunkBytes` (readBlob has the rest, as for getObject).
 */
export function versionAt(db: StoreSql | null, key: string, revision: number, chunkBytes: number): VersionAnswer {
  if (key === GLOBAL_VERSION_KEY) return { kind: "invalid", message: `${GLOBAL_VERSION_KEY} has no versions of its own: its history is each revision's global_version` };
  const head = db?.currentHead().revision ?? 0;
  if (!db || revision < 1 || revision > head) return { kind: "invalid", message: `revision must be 1 … ${head} (the head)` };
  const { oldest } = db.history.bounds();
  if (revision < oldest) return { kind: "pruned", message: `pruned: records before revision ${oldest} are no longer kept` };
  const live = db.read(key);
  if (live && live.revision <= revision) {
    return { kind: "found", revision: live.revision, object: objectOf(db, key, live.version, live.size, live.value, live.blobId, chunkBytes) };
  }
  const past = db.history.versionAt(key, revision);
  if (!past) return { kind: "missing" };
  if (!past.retained) return { kind: "pruned", message: `pruned: the value of ${JSON.stringify(key)} as of revision ${revision} is no longer retained` };
  return { kind: "found", revision: past.fromRevision, object: objectOf(db, key, past.version, past.size, past.value, past.blobId, chunkBytes) };
}

function objectOf(db: StoreSql, key: string, version: number, size: number, value: Uint8Array | null, blobId: number | null, chunkBytes: number): StoredObject {
  if (blobId === null) return { key, version, kind: "inline", value: value ?? new Uint8Array(0) };
  const shape = db.blob(blobId);
  if (!shape) throw new Error(`version of ${JSON.stringify(key)} names missing blob ${blobId}`);
  const chunks = chunkBytes > 0 ? db.chunks(blobId, 0, Math.min(chunkBytes, RPC_VALUE_BUDGET_BYTES)) : [];
  return { key, version, kind: "chunked", blobId, size, chunkCount: shape.chunkCount, chunks };
}
