import { send } from "./vss";

/** The admin token the admin tests configure. */
export const ADMIN_TOKEN = "t".repeat(40);
export const ADMIN_ENV = { VSS_ADMIN_TOKEN: ADMIN_TOKEN };

/** One request to /admin, with the token unless `token` says otherwise. */
export function admin(path: string, init: { method?: string; body?: BodyInit | null; token?: string | null } = {}): Promise<Response> {
  const token = init.token === undefined ? ADMIN_TOKEN : init.token;
  return send(`http://vss.test/admin${path}`, init.body ?? null, {
    method: init.method ?? "GET",
    authorization: token === null ? null : `Bearer ${token}`,
    env: ADMIN_ENV,
  });
}

/** The query naming one store. */
export const storeQuery = (identity: string, storeId: string) => `identity=${encodeURIComponent(identity)}&store_id=${encodeURIComponent(storeId)}`;

const encoder = new TextEncoder();

/** An item frame of the export format, written independently of the server's code (docs/export-format.md). */
export function itemFrame(key: string, version: number, value: Uint8Array): Uint8Array {
  const keyBytes = encoder.encode(key);
  const frame = new Uint8Array(1 + 4 + keyBytes.length + 16 + value.length);
  const view = new DataView(frame.buffer);
  frame[0] = 0x4b;
  view.setUint32(1, keyBytes.length);
  frame.set(keyBytes, 5);
  view.setBigInt64(5 + keyBytes.length, BigInt(version));
  view.setBigUint64(13 + keyBytes.length, BigInt(value.length));
  frame.set(value, 21 + keyBytes.length);
  return frame;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A parsed export stream: header, items in order, end frame. */
export interface ParsedExport {
  header: { identity: string; storeId: string; globalVersion: string; keys: number; incarnation?: string; headRevision?: string; headDigest?: string };
  items: { key: string; version: number; value: Uint8Array }[];
  end: { keys: number; valueBytes: number; sha256: string };
  /** SHA-256 (hex) of every byte before the end frame, computed here. */
  sha256: string;
}

/** Parses a whole export (magic, header, items, end), checking the framing and the digest. */
export async function parseExport(bytes: Uint8Array): Promise<ParsedExport> {
  const magic = "vss-store-export/1\n";
  if (new TextDecoder().decode(bytes.subarray(0, magic.length)) !== magic) throw new Error("bad magic");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = magic.length;
  const json = () => {
    const length = view.getUint32(at + 1);
    const value = JSON.parse(new TextDecoder().decode(bytes.subarray(at + 5, at + 5 + length)));
    at += 5 + length;
    return value;
  };
  if (bytes[at] !== 0x48) throw new Error("no header frame");
  const header = json();
  const items: ParsedExport["items"] = [];
  while (bytes[at] === 0x4b) {
    const keyLength = view.getUint32(at + 1);
    const key = new TextDecoder().decode(bytes.subarray(at + 5, at + 5 + keyLength));
    const version = Number(view.getBigInt64(at + 5 + keyLength));
    const size = Number(view.getBigUint64(at + 13 + keyLength));
    const start = at + 21 + keyLength;
    items.push({ key, version, value: bytes.slice(start, start + size) });
    at = start + size;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.subarray(0, at)));
  if (bytes[at] !== 0x45) throw new Error(`expected the end frame at ${at}`);
  const end = json();
  if (at !== bytes.length) throw new Error("bytes after the end frame");
  return { header, items, end, sha256: [...digest].map((b) => b.toString(16).padStart(2, "0")).join("") };
}
