import {
  DeleteObjectRequestSchema,
  GetObjectRequestSchema,
  ListKeyVersionsRequestSchema,
  PutObjectRequestSchema,
} from "../gen/vss_pb";
import { invalidRequest } from "../errors";
import { DELETE_OBJECT_BOUNDS, GET_OBJECT_BOUNDS, LIST_KEY_VERSIONS_BOUNDS, PUT_OBJECTS_BOUNDS } from "./bounds";
import { decode, key, storeId } from "./decode";
import { MAX_ITEMS_PER_PUT, MAX_PAGE_SIZE } from "../store/limits";
import { NEVER_MATCHES, type RequestedVersion } from "../store/types";
import { decodePageToken } from "./page-token";

/** The requests as plain objects, validated. Values are views into the request body, not copies. */
export interface GetRequest {
  storeId: string;
  key: string;
}
export interface PutRequest {
  storeId: string;
  globalVersion?: RequestedVersion;
  puts: { key: string; version: RequestedVersion; value: Uint8Array }[];
  deletes: { key: string; version: RequestedVersion }[];
}
export interface DeleteRequest {
  storeId: string;
  key: string;
  version: RequestedVersion;
}
export interface ListRequest {
  storeId: string;
  prefix: string;
  pageSize: number;
  before?: number;
}

/** An int64 version as a number: -1, 0 and safe positives stay; the rest can never match a stored version. */
export function requestedVersion(version: bigint): RequestedVersion {
  if (version === -1n) return -1;
  if (version >= 0n && version < BigInt(Number.MAX_SAFE_INTEGER)) return Number(version);
  return NEVER_MATCHES;
}

export function decodeGetRequest(body: Uint8Array): GetRequest {
  const message = decode(GetObjectRequestSchema, body, GET_OBJECT_BOUNDS);
  return { storeId: storeId(message.storeId), key: key("key", message.key, true) };
}

export function decodePutRequest(body: Uint8Array): PutRequest {
  const message = decode(PutObjectRequestSchema, body, PUT_OBJECTS_BOUNDS);
  const count = message.transactionItems.length + message.deleteItems.length;
  if (count > MAX_ITEMS_PER_PUT) throw invalidRequest(`putObjects carries ${count} items; the limit is ${MAX_ITEMS_PER_PUT}`);
  return {
    storeId: storeId(message.storeId),
    globalVersion: message.globalVersion === undefined ? undefined : requestedVersion(message.globalVersion),
    puts: message.transactionItems.map((kv) => ({
      key: key("transaction_items key", kv.key),
      version: requestedVersion(kv.version),
      value: kv.value,
    })),
    deletes: message.deleteItems.map((kv) => ({ key: key("delete_items key", kv.key), version: requestedVersion(kv.version) })),
  };
}

export function decodeDeleteRequest(body: Uint8Array): DeleteRequest {
  const message = decode(DeleteObjectRequestSchema, body, DELETE_OBJECT_BOUNDS);
  if (!message.keyValue) throw invalidRequest("key_value is required");
  return {
    storeId: storeId(message.storeId),
    key: key("key_value key", message.keyValue.key),
    version: requestedVersion(message.keyValue.version),
  };
}

export function decodeListRequest(body: Uint8Array, defaultPageSize: number): ListRequest {
  const message = decode(ListKeyVersionsRequestSchema, body, LIST_KEY_VERSIONS_BOUNDS);
  const pageSize = message.pageSize ?? defaultPageSize;
  if (pageSize < 0) throw invalidRequest("page_size must not be negative");
  let before: number | undefined;
  if (message.pageToken !== undefined) {
    before = decodePageToken(message.pageToken);
    if (before === undefined) throw invalidRequest("page_token is not a token this server issued");
  }
  return {
    storeId: storeId(message.storeId),
    prefix: key("key_prefix", message.keyPrefix ?? "", true),
    pageSize: Math.min(pageSize, MAX_PAGE_SIZE),
    before,
  };
}
