import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hexToBytes } from "@noble/hashes/utils.js";

const K1 = /^[0-9a-f]{64}$/;
/** A DER ECDSA signature is 8 to 72 bytes (two integers of up to 33 bytes, each with a 2-byte header, in a 2-byte sequence). */
const DER_SIGNATURE = /^30[0-9a-f]{14,142}$/;
const COMPRESSED_KEY = /^0[23][0-9a-f]{64}$/;

/** The checked parameters of an LNURL-auth callback, lower-cased hex. */
export interface LnurlCallback {
  k1: string;
  sig: string;
  key: string;
}

/** Why a callback was refused; the text goes to the client as the LUD-04 `reason`. */
export type CallbackError = "bad k1" | "bad sig" | "bad key" | "bad tag" | "invalid signature";

/** Reads `k1`, `sig` and `key` from the callback's query (each exactly once), or says which one is malformed. */
export function parseCallback(query: URLSearchParams): { ok: true; value: LnurlCallback } | { ok: false; error: CallbackError } {
  const one = (name: string) => {
    const values = query.getAll(name);
    return values.length === 1 ? (values[0] ?? "").toLowerCase() : "";
  };
  const tag = query.getAll("tag");
  if (tag.length > 1 || (tag.length === 1 && tag[0] !== "login")) return { ok: false, error: "bad tag" };
  const k1 = one("k1");
  if (!K1.test(k1)) return { ok: false, error: "bad k1" };
  const sig = one("sig");
  if (!DER_SIGNATURE.test(sig) || sig.length % 2 !== 0) return { ok: false, error: "bad sig" };
  const key = one("key");
  if (!COMPRESSED_KEY.test(key)) return { ok: false, error: "bad key" };
  return { ok: true, value: { k1, sig, key } };
}

/** LUD-04: a DER, low-S ECDSA signature by the linking key over the 32 k1 bytes taken directly as the digest. */
export function verifyCallback({ k1, sig, key }: LnurlCallback): boolean {
  try {
    return secp256k1.verify(hexToBytes(sig), hexToBytes(k1), hexToBytes(key), { prehash: false, lowS: true, format: "der" });
  } catch {
    return false;
  }
}
