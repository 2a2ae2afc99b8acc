// An implementation of HISTORY.md §3 written for the tests alone, from the spec — not the server's code — so that
// the tests check the server's digests, not the server against itself. Uses @noble/hashes.
import { sha256 } from "@noble/hashes/sha2.js";
import { expect } from "vitest";
import { GetHistoryRequestSchema, GetHistoryResponseSchema, GetVersionRequestSchema, GetVersionResponseSchema, type GetHistoryResponse, type Revision } from "../../src/gen/history_pb";
import { concat } from "./admin";
import { DeviceClient } from "./multidevice";
import type { Reply } from "./vss";

const ascii = (text: string) => new TextEncoder().encode(text);
const utf8 = (text: string) => new TextEncoder().encode(text);
export const ZEROS = new Uint8Array(32);
export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const u64 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n);
  return b;
};
const i64 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, n);
  return b;
};

export interface Change {
  key: string;
  deleted: boolean;
  version: bigint;
  valueSha256: Uint8Array;
}

/** A written change of `value` at `version`. */
export const written = (key: string, version: number | bigint, value: Uint8Array | string): Change => ({
  key,
  deleted: false,
  version: BigInt(version),
  valueSha256: sha256(typeof value === "string" ? utf8(value) : value),
});
export const deletedChange = (key: string): Change => ({ key, deleted: true, version: 0n, valueSha256: ZEROS });

/** Keys by their UTF-8 bytes, unsigned: compared byte by byte, here without any library order. */
export function byteOrder(a: string, b: string): number {
  const x = utf8(a);
  const y = utf8(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return x.length - y.length;
}

function changeBytes(c: Change): Uint8Array {
  const key = utf8(c.key);
  return concat([u32(key.length), key, new Uint8Array([c.deleted ? 2 : 1]), i64(c.deleted ? 0n : c.version), c.deleted ? ZEROS : c.valueSha256]);
}

export function genesis(incarnation: Uint8Array, storeId: string): Uint8Array {
  const id = utf8(storeId);
  return sha256(concat([ascii("vss-history-v1 genesis"), incarnation, u32(id.length), id]));
}

export function nextDigest(previous: Uint8Array, revision: bigint, globalVersion: bigint, changes: Change[]): Uint8Array {
  const sorted = [...changes].sort((a, b) => byteOrder(a.key, b.key));
  return sha256(concat([ascii("vss-history-v1"), previous, u64(revision), i64(globalVersion), u32(sorted.length), ...sorted.map(changeBytes)]));
}

export function baseDigest(genesisDigest: Uint8Array, revision: bigint, globalVersion: bigint, live: Change[]): Uint8Array {
  const sorted = [...live].sort((a, b) => byteOrder(a.key, b.key));
  return sha256(concat([ascii("vss-history-v1 base"), genesisDigest, u64(revision), i64(globalVersion), u32(sorted.length), ...sorted.map(changeBytes)]));
}

/** The digest a record's changes give, chained from `previous` (an empty digest in a message means zeros). */
export function recordDigest(previous: Uint8Array, record: Revision): Uint8Array {
  const changes = record.changes.map((c) => ({ key: c.key, deleted: c.deleted, version: c.version, valueSha256: c.valueSha256.length ? c.valueSha256 : ZEROS }));
  return nextDigest(previous, record.revision, record.globalVersion, changes);
}

/** The head an answer carried: its vss-revision and vss-digest headers, checked for form. */
export function headOf(reply: Reply<unknown> | Response): { revision: bigint; digest: string } {
  const headers = reply instanceof Response ? reply.headers : reply.headers;
  const revision = headers?.get("vss-revision") ?? null;
  const digest = headers?.get("vss-digest") ?? null;
  expect(revision, "vss-revision").toMatch(/^(0|[1-9][0-9]*)$/);
  expect(digest, "vss-digest").toMatch(/^[0-9a-f]{64}$/);
  return { revision: BigInt(revision ?? "0"), digest: digest ?? "" };
}

/** A DeviceClient with the history calls (HISTORY.md §4). */
export class HistoryClient extends DeviceClient {
  history(afterRevision: number | bigint, pageSize?: number, resumeKey?: string): Promise<Reply<GetHistoryResponse>> {
    return this.call("getHistory", GetHistoryRequestSchema, { storeId: this.storeId, afterRevision: BigInt(afterRevision), pageSize, resumeKey }, GetHistoryResponseSchema);
  }

  version(key: string, revision: number | bigint) {
    return this.call("getVersion", GetVersionRequestSchema, { storeId: this.storeId, key, revision: BigInt(revision) }, GetVersionResponseSchema);
  }

  /** Every record after `after`, walking pages and resumed revisions; asserts success. */
  async allRecords(after = 0n): Promise<{ records: Revision[]; last: GetHistoryResponse }> {
    const records: Revision[] = [];
    let cursor = BigInt(after);
    let resume: string | undefined;
    for (;;) {
      const reply = await this.history(cursor, undefined, resume);
      const page = reply.message;
      if (!page) throw new Error(`getHistory failed: ${reply.status} ${reply.error?.message}`);
      for (const record of page.revisions) {
        const previous = records.at(-1);
        if (previous && previous.revision === record.revision) previous.changes.push(...record.changes);
        else records.push(record);
      }
      const tail = page.revisions.at(-1);
      if (!tail) return { records, last: page };
      if (tail.moreChanges) {
        cursor = tail.revision - 1n;
        resume = tail.changes.at(-1)?.key;
      } else {
        cursor = tail.revision;
        resume = undefined;
      }
      if (cursor >= page.headRevision) return { records, last: page };
    }
  }
}
