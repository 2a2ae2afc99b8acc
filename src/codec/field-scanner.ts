import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { invalidRequest } from "../errors";

/** The longest field header: a tag (≤ 5 bytes as uint32) and a length or varint value (≤ 10 bytes). */
const HEADER_BYTES = 15;

/** One field of a message, located without decoding it: `[start, end)` is its payload. */
export interface FieldSpan {
  field: number;
  wireType: WireType;
  start: number;
  end: number;
}

/**
 * Walks the fields of one protobuf message as its bytes arrive, without decoding or copying them, and hands each
 * field to `onField` as soon as its header is in: a length-delimited field is reported before its payload has
 * arrived. So a rule such as "at most 1000 items" refuses a hostile body after a few kilobytes, not after
 * materialising millions of objects. Groups are refused: no VSS message has one.
 */
export class FieldScanner {
  #next = 0;

  constructor(readonly onField: (span: FieldSpan) => void) {}

  /** Scans the fields whose headers lie in `bytes[0, length)`; `final` says no more bytes will come. */
  feed(bytes: Uint8Array, length: number, final = false): void {
    while (this.#next < length) {
      if (!final && length - this.#next < HEADER_BYTES) return;
      const span = this.#header(bytes.subarray(this.#next, length));
      this.#next = span.end;
      this.onField(span);
    }
    if (final && this.#next !== length) throw invalidRequest("body is not a valid message: its last field is cut short");
  }

  #header(window: Uint8Array): FieldSpan {
    const base = this.#next;
    const reader = new BinaryReader(window);
    try {
      const [field, wireType] = reader.tag();
      switch (wireType) {
        case WireType.LengthDelimited: {
          const length = reader.uint32();
          return { field, wireType, start: base + reader.pos, end: base + reader.pos + length };
        }
        case WireType.Varint:
        case WireType.Bit64:
        case WireType.Bit32: {
          const start = reader.pos;
          reader.skip(wireType);
          return { field, wireType, start: base + start, end: base + reader.pos };
        }
        default:
          throw new Error(`wire type ${wireType}`);
      }
    } catch {
      throw invalidRequest("body is not a valid message: a field header is malformed");
    }
  }
}

/** Every field of a complete message, scanned as above. */
export function scanFields(bytes: Uint8Array, onField: (span: FieldSpan) => void): void {
  new FieldScanner(onField).feed(bytes, bytes.byteLength, true);
}
