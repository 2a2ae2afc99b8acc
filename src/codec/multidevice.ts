import { create, toBinary } from "@bufbuild/protobuf";
import {
  AcquireLeaseRequestSchema,
  AcquireLeaseResponseSchema,
  GetLeaseRequestSchema,
  GetLeaseResponseSchema,
  GetObjectsRequestSchema,
  GetObjectsResponseSchema,
  ListChangesRequestSchema,
  ListChangesResponseSchema,
  NotificationSchema,
  ReleaseLeaseRequestSchema,
  RenewLeaseRequestSchema,
  RenewLeaseResponseSchema,
  WatchTicketRequestSchema,
  WatchTicketResponseSchema,
} from "../gen/multidevice_pb";
import { invalidRequest } from "../errors";
import { CHANGES_PAGE_SIZE, type ChangesPage } from "../store/feed/changes";
import { LEASE_TTL_MAX_SECONDS, LEASE_TTL_MIN_SECONDS, type LeaseView } from "../store/lease/lease";
import { MAX_GET_OBJECTS_KEYS, MAX_HOLDER_CHARS, MAX_KEY_CHARS, MAX_LEASE_TOKEN_CHARS, MAX_STORE_ID_CHARS } from "../store/limits";
import type { MessageBounds } from "./bounds";
import { decode, key, storeId, withinChars } from "./decode";
import { embeddedParts, keyValueParts } from "./responses";

const STORE_ID = { name: "store_id", maxChars: MAX_STORE_ID_CHARS };
const TOKEN = { name: "token", maxChars: MAX_LEASE_TOKEN_CHARS };
const ONLY_STORE: MessageBounds = { fields: { 1: STORE_ID } };
const ACQUIRE: MessageBounds = { fields: { 1: STORE_ID, 2: { name: "holder", maxChars: MAX_HOLDER_CHARS } } };
const WITH_TOKEN: MessageBounds = { fields: { 1: STORE_ID, 2: TOKEN } };
const GET_OBJECTS: MessageBounds = {
  fields: { 1: STORE_ID, 2: { name: "keys", maxChars: MAX_KEY_CHARS } },
  repeated: { fields: new Set([2]), max: MAX_GET_OBJECTS_KEYS, what: "keys" },
};

function ttl(seconds: number): number {
  if (seconds < LEASE_TTL_MIN_SECONDS || seconds > LEASE_TTL_MAX_SECONDS) {
    throw invalidRequest(`ttl_seconds must be from ${LEASE_TTL_MIN_SECONDS} to ${LEASE_TTL_MAX_SECONDS}`);
  }
  return seconds;
}

function holder(text: string): string {
  if (text === "" || !withinChars(text, MAX_HOLDER_CHARS)) throw invalidRequest(`holder must be 1 to ${MAX_HOLDER_CHARS} characters`);
  return text;
}

function token(text: string): string {
  if (!withinChars(text, MAX_LEASE_TOKEN_CHARS)) throw invalidRequest(`token is longer than ${MAX_LEASE_TOKEN_CHARS} characters`);
  return text;
}

/** int64 → number; past the safe range it saturates (a revision that large can only mean "ahead of the store"). */
function revision(value: bigint): number {
  if (value < 0n) throw invalidRequest("since_revision must not be negative");
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

export function decodeAcquireLease(body: Uint8Array) {
  const m = decode(AcquireLeaseRequestSchema, body, ACQUIRE);
  return { storeId: storeId(m.storeId), holder: holder(m.holder), ttlSeconds: ttl(m.ttlSeconds), force: m.force };
}

export function decodeRenewLease(body: Uint8Array) {
  const m = decode(RenewLeaseRequestSchema, body, WITH_TOKEN);
  return { storeId: storeId(m.storeId), token: token(m.token), ttlSeconds: ttl(m.ttlSeconds) };
}

export function decodeReleaseLease(body: Uint8Array) {
  const m = decode(ReleaseLeaseRequestSchema, body, WITH_TOKEN);
  return { storeId: storeId(m.storeId), token: token(m.token) };
}

export function decodeStoreOnly(body: Uint8Array, schema: typeof GetLeaseRequestSchema | typeof WatchTicketRequestSchema) {
  return { storeId: storeId(decode(schema, body, ONLY_STORE).storeId) };
}

export function decodeListChanges(body: Uint8Array) {
  const m = decode(ListChangesRequestSchema, body, ONLY_STORE);
  const pageSize = m.pageSize ?? CHANGES_PAGE_SIZE;
  if (pageSize < 1) throw invalidRequest("page_size must be at least 1");
  return { storeId: storeId(m.storeId), since: revision(m.sinceRevision), pageSize: Math.min(pageSize, CHANGES_PAGE_SIZE) };
}

/** 1 to 100 distinct keys (MULTIDEVICE.md §7); `global_version` may be asked for, as with getObject. */
export function decodeGetObjects(body: Uint8Array) {
  const m = decode(GetObjectsRequestSchema, body, GET_OBJECTS);
  if (m.keys.length === 0) throw invalidRequest("keys must name at least one key");
  if (m.keys.length > MAX_GET_OBJECTS_KEYS) throw invalidRequest(`keys may name at most ${MAX_GET_OBJECTS_KEYS} keys`);
  if (new Set(m.keys).size !== m.keys.length) throw invalidRequest("keys must not repeat a key");
  return { storeId: storeId(m.storeId), keys: m.keys.map((k) => key("keys", k, true)) };
}

const leaseMessage = (lease: LeaseView) => ({ epoch: BigInt(lease.epoch), holder: lease.holder, expiresAtMs: BigInt(lease.expiresAtMs), token: lease.token });

export function encodeAcquired(lease: LeaseView): Uint8Array {
  return toBinary(AcquireLeaseResponseSchema, create(AcquireLeaseResponseSchema, { lease: leaseMessage(lease) }));
}

export function encodeRenewed(lease: LeaseView): Uint8Array {
  return toBinary(RenewLeaseResponseSchema, create(RenewLeaseResponseSchema, { lease: leaseMessage(lease) }));
}

export function encodeGetLease(lease: LeaseView | null): Uint8Array {
  return toBinary(GetLeaseResponseSchema, create(GetLeaseResponseSchema, lease ? { lease: leaseMessage(lease) } : {}));
}

export function encodeChanges(page: ChangesPage): Uint8Array {
  return toBinary(
    ListChangesResponseSchema,
    create(ListChangesResponseSchema, {
      changes: page.changes.map((c) => ({ key: c.key, version: BigInt(c.version), deleted: c.deleted, revision: BigInt(c.revision) })),
      revision: BigInt(page.revision),
      hasMore: page.hasMore,
      reset: page.reset,
      globalVersion: BigInt(page.globalVersion),
    }),
  );
}

/** A value of a getObjects answer: its chunks together are the value. */
export interface BatchValue {
  key: string;
  version: number;
  size: number;
  chunks: Uint8Array[];
}

/** GetObjectsResponse as the parts of one body: values in request order, without copying their bytes. */
export function encodeGetObjectsParts(values: BatchValue[], missingKeys: string[], remainingKeys: string[]): Uint8Array[] {
  const parts = values.flatMap((v) => embeddedParts(1, keyValueParts(v.key, v.version, v.size, v.chunks)));
  parts.push(toBinary(GetObjectsResponseSchema, create(GetObjectsResponseSchema, { missingKeys, remainingKeys })));
  return parts;
}

export function encodeTicket(ticket: string, expiresAtMs: number): Uint8Array {
  return toBinary(WatchTicketResponseSchema, create(WatchTicketResponseSchema, { ticket, expiresAtMs: BigInt(expiresAtMs) }));
}

/** One WebSocket frame of `watch` (MULTIDEVICE.md §6). */
export function encodeNotification(write: { revision: number; digest: Uint8Array; globalVersion: number; leaseEpoch?: number }): Uint8Array {
  return toBinary(
    NotificationSchema,
    create(NotificationSchema, {
      revision: BigInt(write.revision),
      globalVersion: BigInt(write.globalVersion),
      leaseEpoch: write.leaseEpoch === undefined ? undefined : BigInt(write.leaseEpoch),
      digest: write.digest,
    }),
  );
}
