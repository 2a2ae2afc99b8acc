import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import type { HDKey } from "@scure/bip32";

/** LUD-05: the hashing key is the parent's non-hardened child 0. */
const HASHING_CHILD_INDEX = 0;
/** LUD-05: four big-endian u32 child numbers from the first 16 bytes of the HMAC. */
const LINKING_PATH_LENGTH = 4;
const K1_HEX = /^[0-9a-fA-F]{64}$/;

/** Thrown when a URL from an LNURL-auth server is not a usable login challenge. */
export class InvalidLnurlError extends Error {
  override readonly name = "InvalidLnurlError";
}

/** LUD-05 linking-key path for `domain`: HMAC-SHA256(hashing private key, domain) as four raw BIP32 indices. */
export function linkingKeyPath(hashingPrivateKey: Uint8Array, domain: string): number[] {
  const digest = hmac(sha256, hashingPrivateKey, utf8ToBytes(domain));
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  return Array.from({ length: LINKING_PATH_LENGTH }, (_, i) => view.getUint32(i * 4, false));
}

/** The host of `url` exactly as written (no case folding, no port, no user info): LUD-05's domain. */
export function hostAsWritten(url: string): string {
  const scheme = url.indexOf("://");
  if (scheme < 0) throw new InvalidLnurlError(`not an absolute URL: ${url}`);
  const rest = url.slice(scheme + 3);
  const authority = rest.slice(0, rest.search(/[/?#]|$/));
  const host = authority.slice(authority.lastIndexOf("@") + 1);
  const end = host.startsWith("[") ? host.indexOf("]") + 1 : host.search(/:|$/);
  if (end <= 0) throw new InvalidLnurlError(`no host in URL: ${url}`);
  return host.slice(0, end);
}

/** The linking key pair that `parent` (ldk-node: m/877'/138') uses for `domain`. */
export function linkingKey(parent: HDKey, domain: string): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const hashing = parent.deriveChild(HASHING_CHILD_INDEX).privateKey;
  if (!hashing) throw new TypeError("LNURL-auth needs a private parent key");
  let node = parent;
  for (const index of linkingKeyPath(hashing, domain)) node = node.deriveChild(index);
  const { privateKey, publicKey } = node;
  if (!privateKey || !publicKey) throw new TypeError("LNURL-auth needs a private parent key");
  return { privateKey, publicKey };
}

/**
 * Signs an LNURL-auth login URL: the 32 `k1` bytes are the ECDSA digest (DER, low-S), and `&sig=…&key=…` is
 * appended to the URL as received.
 */
export function signLnurl(parent: HDKey, lnurl: string): string {
  let k1: string | null;
  try {
    k1 = new URL(lnurl).searchParams.get("k1");
  } catch {
    throw new InvalidLnurlError(`invalid LNURL: ${lnurl}`);
  }
  if (!k1 || !K1_HEX.test(k1)) throw new InvalidLnurlError(`LNURL without a 32-byte hex k1: ${lnurl}`);
  const { privateKey, publicKey } = linkingKey(parent, hostAsWritten(lnurl));
  const signature = secp256k1.sign(hexToBytes(k1), privateKey, { prehash: false, lowS: true, format: "der" });
  const separator = lnurl.includes("?") ? "&" : "?";
  return `${lnurl}${separator}sig=${bytesToHex(signature)}&key=${bytesToHex(publicKey)}`;
}
