import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import type { HeaderProvider } from "./types.js";

/** The 64-byte ASCII constant that starts every signed message (CLIENTS.md §3). */
export const SIGS_SALT = utf8ToBytes("VSS Signature Authorizer Signing Salt Constant" + ".".repeat(18));

const SECRET_KEY_BYTES = 32;
const AUTHORIZATION = "Authorization";

/** The digest a sigs header signs: SHA-256(salt ‖ compressed public key ‖ ASCII timestamp). */
export function sigsDigest(publicKey: Uint8Array, timestamp: string): Uint8Array {
  return sha256(concatBytes(SIGS_SALT, publicKey, utf8ToBytes(timestamp)));
}

/** The `Authorization` value for `secretKey` at `unixSeconds`: hex pubkey ‖ hex compact low-S signature ‖ seconds. */
export function sigsAuthorization(secretKey: Uint8Array, unixSeconds: number): string {
  const publicKey = secp256k1.getPublicKey(secretKey, true);
  const timestamp = String(Math.floor(unixSeconds));
  const signature = secp256k1.sign(sigsDigest(publicKey, timestamp), secretKey, { prehash: false, lowS: true, format: "compact" });
  return bytesToHex(publicKey) + bytesToHex(signature) + timestamp;
}

/** Options of {@link sigsAuth}. */
export interface SigsAuthOptions {
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Clock in unix milliseconds (tests). */
  now?: () => number;
}

/**
 * ldk-node's default authentication: a fresh signature over the current time on every request, from a 32-byte
 * secp256k1 secret key (ldk-node: m/877'/139' of the node seed, see `deriveLdkNodeSecrets`).
 */
export function sigsAuth(secretKey: Uint8Array, options: SigsAuthOptions = {}): HeaderProvider {
  if (secretKey.length !== SECRET_KEY_BYTES || !secp256k1.utils.isValidSecretKey(secretKey)) {
    throw new TypeError("sigsAuth needs a valid 32-byte secp256k1 secret key");
  }
  const key = Uint8Array.from(secretKey);
  const now = options.now ?? Date.now;
  const extra = { ...options.headers };
  return {
    getHeaders: async function signedHeaders() {
      return { ...extra, [AUTHORIZATION]: sigsAuthorization(key, now() / 1000) };
    },
  };
}
