import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import {
  DeleteObjectRequestSchema,
  GetObjectRequestSchema,
  ListKeyVersionsRequestSchema,
  PutObjectRequestSchema,
} from "../gen/vss_pb";
import "./utf8";
import { invalidRequest } from "../errors";
import {
  checkBounds,
  DELETE_OBJECT_BOUNDS,
  GET_OBJECT_BOUNDS,
  LIST_KEY_VERSIONS_BOUNDS,
  PUT_OBJECTS_BOUNDS,
  type MessageBounds,
} from "./bounds";
import {
  GLOBAL_VERSION_KEY,
  MAX_ITEMS_PER_PUT,
  MAX_KEY_CHARS,
  MAX_PAGE_SIZE,
  MAX_STORE_ID_CHARS,
} from "../store/limits";
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

/** Decodes a request after checking its wire bounds, so that decoding builds only what the limits allow. */
function decode<Desc extends DescMessage>(schema: Desc, body: Uint8Array, bounds: MessageBounds): MessageShape<Desc> {
  checkBounds(body, bounds);
  try {
    return fromBinary(schema, body, { readUnknownFields: false });
  } catch {
    throw invalidRequest(`body is not a valid ${schema.name}`);
  }
}

/** Length in Unicode code points, counting no further than needed to compare with `limit`. */
function withinChars(text: string, limit: number): boolean {
  if (text.length <= limit) return true;
  let count = 0;
  for (const _ of text) if (++count > limit) return false;
  return true;
}

function storeId(id: string): string {
  if (!withinChars(id, MAX_STORE_ID_CHARS)) throw invalidRequest(`store_id is longer than ${MAX_STORE_ID_CHARS} characters`);
  return id;
}

function key(field: string, value: string, allowReserved = false): string {
  if (!withinChars(value, MAX_KEY_CHARS)) throw invalidRequest(`${field} is longer than ${MAX_KEY_CHARS} characters`);
  if (!allowReserved && value === GLOBAL_VERSION_KEY) {
    throw invalidRequest(`${field} "${GLOBAL_VERSION_KEY}" is reserved for the store-level version`);
  }
  return value;
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
