import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { GetHistoryRequestSchema, GetHistoryResponseSchema, GetVersionRequestSchema } from "../gen/history_pb";
import { invalidRequest } from "../errors";
import { HISTORY_PAGE_SIZE, type HistoryPage } from "../store/history/read";
import { MAX_KEY_CHARS, MAX_STORE_ID_CHARS } from "../store/limits";
import type { MessageBounds } from "./bounds";
import { decode, key, storeId } from "./decode";
import { embeddedParts, keyValueParts } from "./responses";

const GET_HISTORY: MessageBounds = { fields: { 1: { name: "store_id", maxChars: MAX_STORE_ID_CHARS }, 4: { name: "resume_key", maxChars: MAX_KEY_CHARS } } };
const GET_VERSION: MessageBounds = { fields: { 1: { name: "store_id", maxChars: MAX_STORE_ID_CHARS }, 2: { name: "key", maxChars: MAX_KEY_CHARS } } };

/** int64 → number, saturating past the safe range (a revision that large is past any head). */
const saturated = (value: bigint) => (value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value));

/** GetHistoryRequest (HISTORY.md §4): after_revision ≥ 0; page_size absent → 100, < 1 → 400, capped at 100. */
export function decodeGetHistory(body: Uint8Array) {
  const m = decode(GetHistoryRequestSchema, body, GET_HISTORY);
  if (m.afterRevision < 0n) throw invalidRequest("after_revision must not be negative");
  const pageSize = m.pageSize ?? HISTORY_PAGE_SIZE;
  if (pageSize < 1) throw invalidRequest("page_size must be at least 1");
  return {
    storeId: storeId(m.storeId),
    afterRevision: saturated(m.afterRevision),
    pageSize: Math.min(pageSize, HISTORY_PAGE_SIZE),
    resumeKey: m.resumeKey === undefined ? null : key("resume_key", m.resumeKey, true),
  };
}

/** GetVersionRequest: the key within its limits (global_version is the store's, answered 400 by the store). */
export function decodeGetVersion(body: Uint8Array) {
  const m = decode(GetVersionRequestSchema, body, GET_VERSION);
  return { storeId: storeId(m.storeId), key: key("key", m.key, true), revision: m.revision < 0n ? 0 : saturated(m.revision) };
}

export function encodeHistory(page: HistoryPage): Uint8Array {
  return toBinary(
    GetHistoryResponseSchema,
    create(GetHistoryResponseSchema, {
      revisions: page.revisions.map((r) => ({
        revision: BigInt(r.revision),
        digest: r.digest,
        committedAtMs: BigInt(r.committedAtMs),
        globalVersion: BigInt(r.globalVersion),
        changes: r.changes.map((c) => ({ key: c.key, deleted: c.deleted, version: BigInt(c.version), valueSha256: c.valueSha256 })),
        moreChanges: r.moreChanges,
        changesPruned: r.changesPruned,
      })),
      headRevision: BigInt(page.headRevision),
      headDigest: page.headDigest,
      oldestRevision: BigInt(page.oldestRevision),
      baseDigest: page.baseDigest,
      incarnation: page.incarnation,
    }),
  );
}

/**
 * GetVersionResponse {value: KeyValue, revision} as the parts of one body: the value, of any size, is never copied
 * into one buffer (as for getObject).
 */
export function encodeVersionParts(entry: { key: string; version: number; size: number; chunks: Uint8Array[] }, revision: number): Uint8Array[] {
  return [...embeddedParts(1, keyValueParts(entry.key, entry.version, entry.size, entry.chunks)), new BinaryWriter().uint32(2 << 3).int64(BigInt(revision)).finish()];
}
