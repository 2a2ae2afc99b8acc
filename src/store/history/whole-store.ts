import { createHash } from "node:crypto";
import { RPC_VALUE_BUDGET_BYTES } from "../limits";
import type { StoreSql } from "../sql";
import type { DigestChange } from "./digest";
import type { LiveKey, LiveSql } from "./history-sql";

/** Live keys read per statement while walking the whole store. */
const PAGE = 256;

/** The SHA-256 of a live object's value: the one kept in its row, or computed from its bytes (and then kept). */
function valueSha256(db: StoreSql, live: LiveSql, row: LiveKey): Uint8Array {
  if (row.valueSha256) return row.valueSha256;
  const hash = createHash("sha256");
  if (row.blobId === null) {
    hash.update(row.value ?? new Uint8Array(0));
  } else {
    for (let seq = 0; ; ) {
      const chunks = db.chunks(row.blobId, seq, RPC_VALUE_BUDGET_BYTES);
      if (chunks.length === 0) break;
      for (const chunk of chunks) hash.update(chunk);
      seq += chunks.length;
    }
  }
  const sha256 = new Uint8Array(hash.digest());
  live.setSha256(row.key, sha256);
  return sha256;
}

/**
 * Every live key as a written change, in key (UTF-8 byte) order, a page at a time: what a digest over the whole
 * store needs (the base of a store older than history, an import's revision). Values stored before history have no
 * hash kept; theirs is computed once here.
 */
export function eachLiveKey(db: StoreSql, live: LiveSql, each: (change: DigestChange) => void): void {
  for (let after: string | null = null; ; ) {
    const rows = live.after(after, PAGE);
    for (const row of rows) each({ key: row.key, deleted: false, version: row.version, valueSha256: valueSha256(db, live, row) });
    if (rows.length < PAGE) return;
    after = rows.at(-1)?.key ?? null;
  }
}

/** Every key the change index lists as live that no object holds any more, in key order (what an import removed). */
export function eachVanishedKey(live: LiveSql, each: (key: string) => void): void {
  for (let after: string | null = null; ; ) {
    const keys = live.vanished(after, PAGE);
    for (const key of keys) each(key);
    if (keys.length < PAGE) return;
    after = keys.at(-1) ?? null;
  }
}
