// Just enough VSS protobuf and sigs auth for the Node-side load and fault scripts (bench, crash test): hand-rolled
// so that they run on plain Node without compiling the TypeScript in src/. Field numbers: CONTRACT.md §1.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

const SALT = new TextEncoder().encode("VSS Signature Authorizer Signing Salt Constant" + ".".repeat(18));
const utf8 = new TextEncoder();

/** A secp256k1 key that signs ldk-node-style `authorization` values (RFC 6979, low-S, unix seconds). */
export class SigsKey {
  constructor(secretKey = secp256k1.utils.randomSecretKey()) {
    this.secretKey = secretKey;
    this.publicKey = secp256k1.getPublicKey(secretKey, true);
    this.publicKeyHex = bytesToHex(this.publicKey);
  }

  header(timestamp = Math.floor(Date.now() / 1000)) {
    const text = String(timestamp);
    const message = new Uint8Array(SALT.length + this.publicKey.length + text.length);
    message.set(SALT, 0);
    message.set(this.publicKey, SALT.length);
    message.set(utf8.encode(text), SALT.length + this.publicKey.length);
    const signature = secp256k1.sign(sha256(message), this.secretKey, { prehash: false, lowS: true });
    return this.publicKeyHex + bytesToHex(signature) + text;
  }
}

/** A base-128 varint; negative int64 values take ten bytes (two's complement), as protobuf writes them. */
export function varint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const out = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

const bytesOf = (value) => (typeof value === "string" ? Buffer.from(utf8.encode(value)) : Buffer.from(value));
const len = (field, payload) => Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
const int = (field, value) => Buffer.concat([varint(field << 3), varint(value)]);

/** KeyValue{key, version, value}; version 0 is left out (implicit presence), like every proto3 encoder does. */
export function keyValue(key, version, value) {
  return Buffer.concat([
    len(1, bytesOf(key)),
    BigInt(version) === 0n ? Buffer.alloc(0) : int(2, version),
    value === undefined ? Buffer.alloc(0) : len(3, bytesOf(value)),
  ]);
}

export const getObjectRequest = (storeId, key) => Buffer.concat([len(1, bytesOf(storeId)), len(2, bytesOf(key))]);

/** PutObjectRequest; items are [key, version, value?]; globalVersion undefined leaves the field absent. */
export function putObjectRequest(storeId, items, { globalVersion, deletes = [] } = {}) {
  return Buffer.concat([
    len(1, bytesOf(storeId)),
    globalVersion === undefined ? Buffer.alloc(0) : int(2, globalVersion),
    ...items.map(([k, v, value]) => len(3, keyValue(k, v, value))),
    ...deletes.map(([k, v]) => len(4, keyValue(k, v))),
  ]);
}

export function listKeyVersionsRequest(storeId, { prefix, pageSize, pageToken } = {}) {
  return Buffer.concat([
    len(1, bytesOf(storeId)),
    prefix === undefined ? Buffer.alloc(0) : len(2, bytesOf(prefix)),
    pageSize === undefined ? Buffer.alloc(0) : int(3, pageSize),
    pageToken === undefined ? Buffer.alloc(0) : len(4, bytesOf(pageToken)),
  ]);
}

/** Reads the fields of one message: field number → array of raw values (bigint or Buffer). */
export function fields(buffer) {
  const out = new Map();
  let pos = 0;
  const readVarint = () => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= buffer.length) throw new Error("truncated varint");
      const byte = buffer[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  while (pos < buffer.length) {
    const tag = Number(readVarint());
    const field = tag >>> 3;
    let value;
    if ((tag & 7) === 0) value = BigInt.asIntN(64, readVarint());
    else if ((tag & 7) === 2) {
      const n = Number(readVarint());
      if (pos + n > buffer.length) throw new Error("truncated field");
      value = buffer.subarray(pos, pos + n);
      pos += n;
    } else throw new Error(`unexpected wire type ${tag & 7}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

/** GetObjectResponse → {key, version, value} (value a Buffer). */
export function decodeGetObject(body) {
  const kv = fields(body).get(2)?.[0];
  if (!kv) throw new Error("GetObjectResponse without value");
  const f = fields(kv);
  return { key: (f.get(1)?.[0] ?? Buffer.alloc(0)).toString("utf8"), version: Number(f.get(2)?.[0] ?? 0n), value: f.get(3)?.[0] ?? Buffer.alloc(0) };
}

/** ListKeyVersionsResponse → {keys: [{key, version}], nextPageToken, globalVersion}. */
export function decodeList(body) {
  const f = fields(body);
  const keys = (f.get(1) ?? []).map((kv) => {
    const g = fields(kv);
    return { key: (g.get(1)?.[0] ?? Buffer.alloc(0)).toString("utf8"), version: Number(g.get(2)?.[0] ?? 0n) };
  });
  const token = f.get(2)?.[0];
  return { keys, nextPageToken: token === undefined ? undefined : token.toString("utf8"), globalVersion: f.get(3)?.[0] };
}

/** ErrorResponse → {code, message}. */
export function decodeError(body) {
  const f = fields(body);
  return { code: Number(f.get(1)?.[0] ?? 0n), message: (f.get(2)?.[0] ?? Buffer.alloc(0)).toString("utf8") };
}

/** ListChangesRequest (MULTIDEVICE.md §2). */
export function listChangesRequest(storeId, sinceRevision, pageSize) {
  return Buffer.concat([
    len(1, bytesOf(storeId)),
    BigInt(sinceRevision) === 0n ? Buffer.alloc(0) : int(2, sinceRevision),
    pageSize === undefined ? Buffer.alloc(0) : int(3, pageSize),
  ]);
}

/** ListChangesResponse → {changes: [{key, version, deleted, revision}], revision, hasMore, reset, globalVersion}. */
export function decodeChanges(body) {
  const f = fields(body);
  const changes = (f.get(1) ?? []).map((c) => {
    const g = fields(c);
    return {
      key: (g.get(1)?.[0] ?? Buffer.alloc(0)).toString("utf8"),
      version: Number(g.get(2)?.[0] ?? 0n),
      deleted: (g.get(3)?.[0] ?? 0n) === 1n,
      revision: Number(g.get(4)?.[0] ?? 0n),
    };
  });
  return {
    changes,
    revision: Number(f.get(2)?.[0] ?? 0n),
    hasMore: (f.get(3)?.[0] ?? 0n) === 1n,
    reset: (f.get(4)?.[0] ?? 0n) === 1n,
    globalVersion: Number(f.get(5)?.[0] ?? 0n),
  };
}

/** GetObjectsRequest (MULTIDEVICE.md §2). */
export const getObjectsRequest = (storeId, keys) => Buffer.concat([len(1, bytesOf(storeId)), ...keys.map((k) => len(2, bytesOf(k)))]);

/** GetObjectsResponse → {values: [{key, version, value}], missingKeys, remainingKeys}. */
export function decodeGetObjects(body) {
  const f = fields(body);
  const values = (f.get(1) ?? []).map((kv) => {
    const g = fields(kv);
    return { key: (g.get(1)?.[0] ?? Buffer.alloc(0)).toString("utf8"), version: Number(g.get(2)?.[0] ?? 0n), value: g.get(3)?.[0] ?? Buffer.alloc(0) };
  });
  const strings = (n) => (f.get(n) ?? []).map((b) => b.toString("utf8"));
  return { values, missingKeys: strings(2), remainingKeys: strings(3) };
}

/** Notification (one watch frame) → {revision, globalVersion, leaseEpoch?}. */
export function decodeNotification(body) {
  const f = fields(body);
  const epoch = f.get(3)?.[0];
  return { revision: Number(f.get(1)?.[0] ?? 0n), globalVersion: Number(f.get(2)?.[0] ?? 0n), leaseEpoch: epoch === undefined ? undefined : Number(epoch) };
}

/** GetHistoryRequest (HISTORY.md §4): ListChangesRequest's fields (1 store_id, 2 after this revision, 3 page_size). */
export const getHistoryRequest = listChangesRequest;

/** GetHistoryResponse → {revisions: [{revision, changes}], headRevision}. */
export function decodeHistory(body) {
  const f = fields(body);
  const revisions = (f.get(1) ?? []).map((r) => {
    const g = fields(r);
    return { revision: Number(g.get(1)?.[0] ?? 0n), changes: (g.get(5) ?? []).length, moreChanges: (g.get(6)?.[0] ?? 0n) === 1n };
  });
  return { revisions, headRevision: Number(f.get(2)?.[0] ?? 0n) };
}
