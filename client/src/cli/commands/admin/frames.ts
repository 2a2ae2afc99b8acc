import { createHash, type Hash } from "node:crypto";

/**
 * The binary store-export format (docs/export-format.md), as the CLI reads and writes it: a magic line, a header
 * frame, one item frame per key in creation order, an end frame with the SHA-256 of everything before it.
 */
export const MAGIC = Buffer.from("vss-store-export/1\n");
export const FRAME_HEADER = 0x48;
export const FRAME_ITEM = 0x4b;
export const FRAME_END = 0x45;

export interface ExportHeader {
  identity: string;
  storeId: string;
  globalVersion: string;
  keys: number;
  /** The store's chain at the export (HISTORY.md §3), when it had one: an import into an empty store continues it. */
  incarnation?: string;
  headRevision?: string;
  headDigest?: string;
}

export interface ExportEnd {
  keys: number;
  valueBytes: number;
  sha256: string;
}

/** One key of a store, with its version and value bytes. */
export interface StoreItem {
  key: string;
  version: bigint;
  value: Uint8Array;
}

/** A file or stream that is not a well-formed export. */
export class ExportFormatError extends Error {
  override readonly name = "ExportFormatError";
}

export function jsonFrame(type: number, value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value));
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(json.length, 1);
  return Buffer.concat([head, json]);
}

/** An item frame's bytes up to the value (the value follows as is). */
export function itemHead(key: string, version: bigint, size: number): Buffer {
  const keyBytes = Buffer.from(key, "utf8");
  const head = Buffer.alloc(21 + keyBytes.length);
  head[0] = FRAME_ITEM;
  head.writeUInt32BE(keyBytes.length, 1);
  keyBytes.copy(head, 5);
  head.writeBigInt64BE(version, 5 + keyBytes.length);
  head.writeBigUInt64BE(BigInt(size), 13 + keyBytes.length);
  return head;
}

/** Reads exact byte counts from an async stream of chunks (a file, an HTTP body). */
class ByteReader {
  readonly #chunks: AsyncIterator<Uint8Array>;
  #buffer: Buffer = Buffer.alloc(0);
  #ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#chunks = source[Symbol.asyncIterator]();
  }

  async #fill(count: number): Promise<void> {
    const parts = [this.#buffer];
    let have = this.#buffer.length;
    while (have < count && !this.#ended) {
      const next = await this.#chunks.next();
      if (next.done) this.#ended = true;
      else {
        parts.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
        have += next.value.byteLength;
      }
    }
    if (parts.length > 1) this.#buffer = Buffer.concat(parts);
  }

  async atEnd(): Promise<boolean> {
    await this.#fill(1);
    return this.#buffer.length === 0;
  }

  async read(count: number): Promise<Buffer> {
    await this.#fill(count);
    if (this.#buffer.length < count) throw new ExportFormatError("the export ends in the middle of a frame: it is truncated");
    const out = Buffer.from(this.#buffer.subarray(0, count));
    this.#buffer = this.#buffer.subarray(count);
    return out;
  }
}

/** What a parsed export yields, in order: its header, each item, its end frame. */
export type ExportEvent = { header: ExportHeader } | { item: StoreItem } | { end: ExportEnd };

/**
 * Parses an export as it arrives, yielding the header, each item in order, and the end frame, after checking
 * the framing, the end frame's counts and the SHA-256 of everything before it. One value in memory at a time.
 */
export async function* exportEvents(source: AsyncIterable<Uint8Array>): AsyncGenerator<ExportEvent> {
  const reader = new ByteReader(source);
  const hash: Hash = createHash("sha256");
  const take = async (count: number) => {
    const bytes = await reader.read(count);
    hash.update(bytes);
    return bytes;
  };
  const json = <T>(bytes: Buffer): T => {
    try {
      return JSON.parse(bytes.toString("utf8")) as T;
    } catch {
      throw new ExportFormatError("a header or end frame is not JSON");
    }
  };
  if (!(await take(MAGIC.length)).equals(MAGIC)) throw new ExportFormatError("not a vss store export (bad magic)");
  if ((await take(1))[0] !== FRAME_HEADER) throw new ExportFormatError("the export has no header frame");
  yield { header: json<ExportHeader>(await take((await take(4)).readUInt32BE(0))) };
  let keys = 0;
  let valueBytes = 0;
  for (;;) {
    const type = (await reader.read(1))[0];
    if (type === FRAME_END) break;
    if (type !== FRAME_ITEM) throw new ExportFormatError(`unknown frame type ${type}`);
    hash.update(Buffer.from([type]));
    const key = (await take((await take(4)).readUInt32BE(0))).toString("utf8");
    const numbers = await take(16);
    const size = Number(numbers.readBigUInt64BE(8));
    yield { item: { key, version: numbers.readBigInt64BE(0), value: await take(size) } };
    keys++;
    valueBytes += size;
  }
  const digest = hash.digest("hex");
  const end = json<ExportEnd>(await reader.read((await reader.read(4)).readUInt32BE(0)));
  if (!(await reader.atEnd())) throw new ExportFormatError("bytes follow the end frame");
  if (end.keys !== keys || end.valueBytes !== valueBytes) throw new ExportFormatError(`the end frame counts ${end.keys} keys, the export has ${keys}`);
  if (end.sha256 !== digest) throw new ExportFormatError("the export's SHA-256 does not match its end frame: it is damaged");
  yield { end };
}

/** Reads a whole export, calling `onHeader` and `onItem` as it goes; returns the header and end frame. */
export async function readExport(
  source: AsyncIterable<Uint8Array>,
  handlers: { onHeader?: (header: ExportHeader) => void; onItem?: (item: StoreItem) => Promise<void> | void } = {},
): Promise<{ header: ExportHeader; end: ExportEnd }> {
  let header: ExportHeader | undefined;
  for await (const event of exportEvents(source)) {
    if ("header" in event) {
      header = event.header;
      handlers.onHeader?.(header);
    } else if ("item" in event) await handlers.onItem?.(event.item);
    else if (header) return { header, end: event.end };
  }
  throw new ExportFormatError("the export has no end frame");
}
