import { WireType } from "@bufbuild/protobuf/wire";
import { invalidRequest } from "../errors";
import { MAX_ITEMS_PER_PUT, MAX_KEY_CHARS, MAX_STORE_ID_CHARS } from "../store/limits";
import { FieldScanner, scanFields, type FieldSpan } from "./field-scanner";

/**
 * Bounds on what a request body may make the decoder build, checked on the wire before decoding (and, for
 * putObjects, while the body streams in), so that the work of a request is bounded by its limits and not only by
 * its size. A client sets each singular field once; the allowance covers repeats that protobuf permits.
 */
export const MAX_SINGULAR_FIELDS = 16;
/** Fields of one KeyValue (key, version, value, and room for repeats). */
export const MAX_KEY_VALUE_FIELDS = 8;
/** UTF-8 takes at most 4 bytes per code point, so a payload longer than this has too many characters. */
const UTF8_MAX_BYTES_PER_CHAR = 4;

/** What one field may hold: a string of at most `maxChars` characters, or one KeyValue (checked inside). */
export interface FieldRule {
  name: string;
  maxChars?: number;
  keyValue?: boolean;
}

/** The fields of one request message that need a bound, and which of them may repeat (and how often in all). */
export interface MessageBounds {
  fields: Readonly<Record<number, FieldRule>>;
  repeated?: { fields: ReadonlySet<number>; max: number; what: string };
}

const STORE_ID: FieldRule = { name: "store_id", maxChars: MAX_STORE_ID_CHARS };
const KEY_VALUE_KEY: FieldRule = { name: "key", maxChars: MAX_KEY_CHARS };

export const PUT_OBJECTS_BOUNDS: MessageBounds = {
  fields: { 1: STORE_ID, 3: { name: "transaction_items", keyValue: true }, 4: { name: "delete_items", keyValue: true } },
  repeated: { fields: new Set([3, 4]), max: MAX_ITEMS_PER_PUT, what: "items" },
};
export const GET_OBJECT_BOUNDS: MessageBounds = { fields: { 1: STORE_ID, 2: { name: "key", maxChars: MAX_KEY_CHARS } } };
export const DELETE_OBJECT_BOUNDS: MessageBounds = { fields: { 1: STORE_ID, 2: { name: "key_value", keyValue: true } } };
export const LIST_KEY_VERSIONS_BOUNDS: MessageBounds = {
  fields: { 1: STORE_ID, 2: { name: "key_prefix", maxChars: MAX_KEY_CHARS }, 4: { name: "page_token", maxChars: MAX_KEY_CHARS } },
};

function tooLong(rule: FieldRule, span: FieldSpan): boolean {
  return rule.maxChars !== undefined && span.wireType === WireType.LengthDelimited && span.end - span.start > rule.maxChars * UTF8_MAX_BYTES_PER_CHAR;
}

/** Checks one embedded KeyValue: a bounded number of fields and a key no longer than a key may be. */
function checkKeyValue(body: Uint8Array, span: FieldSpan): void {
  let fields = 0;
  scanFields(body.subarray(span.start, span.end), (inner) => {
    if (++fields > MAX_KEY_VALUE_FIELDS) throw invalidRequest(`an item repeats its fields more than ${MAX_KEY_VALUE_FIELDS} times`);
    if (inner.field === 1 && tooLong(KEY_VALUE_KEY, inner)) throw invalidRequest(`key is longer than ${MAX_KEY_CHARS} characters`);
  });
}

/** The rule-checking visitor of one message; with `body`, embedded KeyValues are checked too (their bytes are in). */
function visitor(bounds: MessageBounds, body?: Uint8Array): (span: FieldSpan) => void {
  let repeated = 0;
  let singular = 0;
  return (span) => {
    const rule = bounds.fields[span.field];
    if (bounds.repeated?.fields.has(span.field)) {
      if (++repeated > bounds.repeated.max) throw invalidRequest(`request carries more than ${bounds.repeated.max} ${bounds.repeated.what}`);
    } else if (++singular > MAX_SINGULAR_FIELDS) {
      throw invalidRequest(`request repeats its fields more than ${MAX_SINGULAR_FIELDS} times`);
    }
    if (!rule) return;
    if (tooLong(rule, span)) throw invalidRequest(`${rule.name} is longer than ${rule.maxChars} characters`);
    if (body && rule.keyValue && span.wireType === WireType.LengthDelimited) checkKeyValue(body, span);
  };
}

/** Checks a whole request body against its bounds; run before decoding it. */
export function checkBounds(body: Uint8Array, bounds: MessageBounds): void {
  scanFields(body, visitor(bounds, body));
}

/**
 * A guard for a body still streaming in (readBody): refuses it as soon as a field header breaks the bounds — too
 * many items, repeated fields, an over-long string — however long the body would have been. A field that declares
 * it ends past `maxBytes` dooms the body: it is either too large (413) or cut short (400), so the reader stops
 * keeping its bytes and only counts them until it can tell which.
 */
export class StreamingGuard {
  doomed = false;
  readonly #scanner: FieldScanner;

  constructor(bounds: MessageBounds, maxBytes: number) {
    const check = visitor(bounds);
    this.#scanner = new FieldScanner((span) => {
      if (span.end > maxBytes) this.doomed = true;
      check(span);
    });
  }

  feed(bytes: Uint8Array, length: number, final = false): void {
    if (!this.doomed) this.#scanner.feed(bytes, length, final);
  }
}
