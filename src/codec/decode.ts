import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import "./utf8";
import { invalidRequest } from "../errors";
import { GLOBAL_VERSION_KEY, MAX_KEY_CHARS, MAX_STORE_ID_CHARS } from "../store/limits";
import { checkBounds, type MessageBounds } from "./bounds";

/** Decodes a request after checking its wire bounds, so that decoding builds only what the limits allow. */
export function decode<Desc extends DescMessage>(schema: Desc, body: Uint8Array, bounds: MessageBounds): MessageShape<Desc> {
  checkBounds(body, bounds);
  try {
    return fromBinary(schema, body, { readUnknownFields: false });
  } catch {
    throw invalidRequest(`body is not a valid ${schema.name}`);
  }
}

/** Length in Unicode code points, counting no further than needed to compare with `limit`. */
export function withinChars(text: string, limit: number): boolean {
  if (text.length <= limit) return true;
  let count = 0;
  for (const _ of text) if (++count > limit) return false;
  return true;
}

/** A store_id within CONTRACT.md §3's limit (any string, the empty one included). */
export function storeId(id: string): string {
  if (!withinChars(id, MAX_STORE_ID_CHARS)) throw invalidRequest(`store_id is longer than ${MAX_STORE_ID_CHARS} characters`);
  return id;
}

/** A key within CONTRACT.md §3's limit; the reserved key only where `allowReserved` (reads and prefixes). */
export function key(field: string, value: string, allowReserved = false): string {
  if (!withinChars(value, MAX_KEY_CHARS)) throw invalidRequest(`${field} is longer than ${MAX_KEY_CHARS} characters`);
  if (!allowReserved && value === GLOBAL_VERSION_KEY) {
    throw invalidRequest(`${field} "${GLOBAL_VERSION_KEY}" is reserved for the store-level version`);
  }
  return value;
}
