/** Identifies an export file; bump FORMAT_VERSION on any incompatible change. */
export const FORMAT = "vss-export";
export const FORMAT_VERSION = 1;

/** First line of an export file. */
export interface ExportHeader {
  format: typeof FORMAT;
  formatVersion: number;
  storeId: string;
  /** The store's global version at export time, as a decimal string (int64). */
  globalVersion?: string;
  /** Number of keys listed at export time (the trailer says how many lines were written). */
  keys: number;
  exportedAt: string;
}

/** One item line: the key, its version (decimal int64) and the value bytes in standard base64. */
export interface ExportItem {
  key: string;
  version: string;
  value: string;
}

/** Last line of an export file: its presence and count prove the file is complete. */
export interface ExportTrailer {
  end: true;
  /** Number of item lines written (keys deleted during the export are not in the file). */
  keys: number;
}

/** A file that is not an export this CLI can read. */
export class ExportFormatError extends Error {
  override readonly name = "ExportFormatError";
}

/** Parses and checks the header line. */
export function parseHeader(line: string | undefined): ExportHeader {
  let header: Partial<ExportHeader>;
  try {
    header = JSON.parse(line ?? "") as Partial<ExportHeader>;
  } catch {
    throw new ExportFormatError("the first line is not JSON: not a vss export file");
  }
  if (header.format !== FORMAT) throw new ExportFormatError("not a vss export file");
  if (header.formatVersion !== FORMAT_VERSION) throw new ExportFormatError(`unsupported export format version ${header.formatVersion}`);
  if (!Number.isSafeInteger(header.keys)) throw new ExportFormatError("export header without a key count");
  return header as ExportHeader;
}

/** The trailer, or undefined when `line` is an item line. */
export function parseTrailer(line: string): ExportTrailer | undefined {
  if (!line.startsWith('{"end":')) return undefined;
  const trailer = JSON.parse(line) as Partial<ExportTrailer>;
  if (trailer.end !== true || !Number.isSafeInteger(trailer.keys)) throw new ExportFormatError("damaged trailer line");
  return trailer as ExportTrailer;
}

/** Parses and checks one item line; `lineNumber` is for the message. */
export function parseItem(line: string, lineNumber: number): { key: string; version: bigint; value: Uint8Array } {
  let item: Partial<ExportItem>;
  try {
    item = JSON.parse(line) as Partial<ExportItem>;
  } catch {
    throw new ExportFormatError(`line ${lineNumber} is not JSON`);
  }
  if (typeof item.key !== "string" || typeof item.version !== "string" || typeof item.value !== "string" || !/^-?\d+$/.test(item.version)) {
    throw new ExportFormatError(`line ${lineNumber} is not a {key, version, value} item`);
  }
  return { key: item.key, version: BigInt(item.version), value: Buffer.from(item.value, "base64") };
}

/** One item line, without the newline. */
export function itemLine(key: string, version: bigint, value: Uint8Array): string {
  const item: ExportItem = { key, version: version.toString(), value: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  return JSON.stringify(item);
}
