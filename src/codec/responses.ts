import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  ErrorResponseSchema,
  GetObjectResponseSchema,
  KeyValueSchema,
  ListKeyVersionsResponseSchema,
  type ErrorCode,
} from "../gen/vss_pb";
import type { ListPage } from "../store/types";
import { encodePageToken } from "./page-token";

/** Empty PutObjectResponse and DeleteObjectResponse: an empty message encodes to no bytes. */
export const EMPTY_MESSAGE = new Uint8Array(0);

export function encodeError(code: ErrorCode, message: string): Uint8Array {
  return toBinary(ErrorResponseSchema, create(ErrorResponseSchema, { errorCode: code, message }));
}

/** GetObjectResponse for a value held in one piece. `value` is present even when empty (CONTRACT.md §4). */
export function encodeGetObject(key: string, version: number, value: Uint8Array): Uint8Array {
  return toBinary(GetObjectResponseSchema, create(GetObjectResponseSchema, { value: { key, version: BigInt(version), value } }));
}

/**
 * A KeyValue {key, version, value} as the parts of its encoding, with the value given as chunks that together are
 * the value: the value bytes are never copied into one buffer.
 */
export function keyValueParts(key: string, version: number, size: number, chunks: Uint8Array[]): { length: number; parts: Uint8Array[] } {
  const head = toBinary(KeyValueSchema, create(KeyValueSchema, { key, version: BigInt(version) }));
  const valueHeader = new BinaryWriter().tag(3, WireType.LengthDelimited).uint32(size).finish();
  return { length: head.byteLength + valueHeader.byteLength + size, parts: [head, valueHeader, ...chunks] };
}

/** A length-delimited field `field` holding a message whose encoding is `inner`, as parts. */
export function embeddedParts(field: number, inner: { length: number; parts: Uint8Array[] }): Uint8Array[] {
  return [new BinaryWriter().tag(field, WireType.LengthDelimited).uint32(inner.length).finish(), ...inner.parts];
}

/**
 * GetObjectResponse for a value held in chunks, as the parts of one body: the encoding is identical to
 * encodeGetObject's, but the value bytes are never copied into one buffer.
 */
export function encodeGetObjectParts(key: string, version: number, size: number, chunks: Uint8Array[]): Uint8Array[] {
  return embeddedParts(2, keyValueParts(key, version, size, chunks));
}

/** ListKeyVersionsResponse: next_page_token always present ("" on the last page); global_version when given. */
export function encodeListPage(page: ListPage): Uint8Array {
  const message = create(ListKeyVersionsResponseSchema, {
    keyVersions: page.keyVersions.map(({ key, version }) => ({ key, version: BigInt(version) })),
    nextPageToken: page.nextBefore === undefined ? "" : encodePageToken(page.nextBefore),
  });
  if (page.globalVersion !== undefined) message.globalVersion = BigInt(page.globalVersion);
  return toBinary(ListKeyVersionsResponseSchema, message);
}
