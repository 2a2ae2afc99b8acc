import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/** H(k, m): HMAC-SHA256 with key `k` over message `m` (CLIENTS.md §5 notation). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(sha256, key, message);
}

/**
 * The one-step "hkdf" of vss-client and ldk-node: the label (optionally prefixed by earlier key material) is the
 * HMAC key and the secret is the message. Returns 32 bytes.
 */
export function labelled(secret: Uint8Array, label: string, prefix?: Uint8Array): Uint8Array {
  const key = prefix ? concatBytes(prefix, utf8ToBytes(label)) : utf8ToBytes(label);
  return hmacSha256(key, secret);
}

/** Derives two keys from a 32-byte master the way both KeyObfuscator and ldk-node's VssStore do. */
export function derivePair(master: Uint8Array, firstLabel: string, secondLabel: string): [Uint8Array, Uint8Array] {
  const prk = labelled(master, "pseudo_random_key");
  const first = labelled(prk, firstLabel);
  return [first, labelled(prk, secondLabel, first)];
}
