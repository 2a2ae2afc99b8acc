import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { hexToBytes } from "@noble/hashes/utils.js";
import type { Authenticator, Identity } from "./types";

/** The 64-byte salt that starts every signed message (CONTRACT.md §8). */
export const SIGS_SALT = new TextEncoder().encode("VSS Signature Authorizer Signing Salt Constant" + ".".repeat(18));

const PUBKEY_HEX = 66;
const SIGNATURE_HEX = 128;
const HEADER_FORMAT = /^([0-9a-fA-F]{66})([0-9a-fA-F]{128})([0-9]{1,15})$/;
const CACHE_ENTRIES = 4096;

/** The digest a sigs header signs: SHA-256(salt ‖ public key ‖ timestamp as sent). */
export function sigsDigest(publicKey: Uint8Array, timestamp: string): Uint8Array {
  const message = new Uint8Array(SIGS_SALT.length + publicKey.length + timestamp.length);
  message.set(SIGS_SALT, 0);
  message.set(publicKey, SIGS_SALT.length);
  message.set(new TextEncoder().encode(timestamp), SIGS_SALT.length + publicKey.length);
  return sha256(message);
}

/**
 * `sigs`, ldk-node's default: `hex(pubkey) ‖ hex(compact low-S signature) ‖ unix seconds`, the timestamp
 * within ±maxSkewSeconds of the server clock. A verified header value is remembered (bounded, per isolate) and
 * only its timestamp window is checked again: the signature over that exact value cannot change.
 */
export function sigsAuthenticator(maxSkewSeconds: number): Authenticator {
  const verified = new Map<string, { identity: Identity; timestamp: number }>();
  return {
    scheme: "sigs",
    accepts: (authorization) => authorization !== null && authorization.length > PUBKEY_HEX + SIGNATURE_HEX && !authorization.startsWith("Bearer "),
    authenticate: async function authenticateSigs(authorization, nowSeconds) {
      if (authorization === null) return null;
      const known = verified.get(authorization);
      if (known) return Math.abs(nowSeconds - known.timestamp) <= maxSkewSeconds ? known.identity : null;
      const match = HEADER_FORMAT.exec(authorization);
      if (!match) return null;
      const [, publicKeyHex = "", signatureHex = "", timestampText = ""] = match;
      const timestamp = Number(timestampText);
      if (Math.abs(nowSeconds - timestamp) > maxSkewSeconds) return null;
      const publicKey = hexToBytes(publicKeyHex);
      let valid: boolean;
      try {
        valid = secp256k1.verify(hexToBytes(signatureHex), sigsDigest(publicKey, timestampText), publicKey, {
          prehash: false,
          lowS: true,
        });
      } catch {
        valid = false;
      }
      if (!valid) return null;
      // One key is one identity however its hex is written: the canonical form is lower case, as ldk-node sends it.
      const identity: Identity = { scheme: "sigs", subject: publicKeyHex.toLowerCase() };
      if (verified.size >= CACHE_ENTRIES) verified.delete(verified.keys().next().value ?? "");
      verified.set(authorization, { identity, timestamp });
      return identity;
    },
  };
}
