import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { base64nopad } from "@scure/base";
import { derivePair, hmacSha256 } from "./hkdf.js";

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Synthetic nonces are 4 zero bytes then 8 HMAC bytes (compatibility with the first 8-byte-nonce cipher). */
const NONCE_ZERO_PREFIX = 4;
const MIN_OBFUSCATED_BYTES = TAG_BYTES + NONCE_BYTES + TAG_BYTES;

/** Thrown when a string is not a key this obfuscator produced. */
export class DeobfuscationError extends Error {
  override readonly name = "DeobfuscationError";
}

/**
 * Deterministic, reversible encryption of storage keys, byte-compatible with vss-client's KeyObfuscator
 * (CLIENTS.md §5): equal keys give equal strings, so the server can look them up without learning them.
 */
export class KeyObfuscator {
  readonly #obfuscationKey: Uint8Array;
  readonly #hashingKey: Uint8Array;

  constructor(masterKey: Uint8Array) {
    if (masterKey.length !== KEY_BYTES) throw new TypeError("the obfuscation master key has 32 bytes");
    [this.#obfuscationKey, this.#hashingKey] = derivePair(masterKey, "obfuscation_key", "hashing_key");
  }

  /** Standard base64 without padding of ciphertext ‖ tag ‖ wrapped nonce ‖ nonce tag. */
  obfuscate(key: string): string {
    const nonce = this.#syntheticNonce(utf8ToBytes(key));
    const sealedKey = chacha20poly1305(this.#obfuscationKey, nonce).encrypt(utf8ToBytes(key));
    const ciphertext = sealedKey.subarray(0, sealedKey.length - TAG_BYTES);
    const sealedNonce = chacha20poly1305(this.#obfuscationKey, this.#syntheticNonce(ciphertext)).encrypt(nonce);
    return base64nopad.encode(concatBytes(sealedKey, sealedNonce));
  }

  /** Reverses {@link obfuscate}; throws DeobfuscationError for anything it did not produce. */
  deobfuscate(obfuscated: string): string {
    let bytes: Uint8Array;
    try {
      bytes = base64nopad.decode(obfuscated);
    } catch {
      throw new DeobfuscationError(`not unpadded base64: ${obfuscated}`);
    }
    if (bytes.length < MIN_OBFUSCATED_BYTES) throw new DeobfuscationError(`obfuscated key shorter than ${MIN_OBFUSCATED_BYTES} bytes`);
    const split = bytes.length - NONCE_BYTES - TAG_BYTES;
    const sealedKey = bytes.subarray(0, split);
    const ciphertext = sealedKey.subarray(0, sealedKey.length - TAG_BYTES);
    try {
      const nonce = chacha20poly1305(this.#obfuscationKey, this.#syntheticNonce(ciphertext)).decrypt(bytes.subarray(split));
      const plain = chacha20poly1305(this.#obfuscationKey, nonce).decrypt(sealedKey);
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(plain);
    } catch {
      throw new DeobfuscationError(`cannot deobfuscate ${obfuscated}: wrong key or damaged`);
    }
  }

  #syntheticNonce(material: Uint8Array): Uint8Array {
    const nonce = new Uint8Array(NONCE_BYTES);
    nonce.set(hmacSha256(material, this.#hashingKey).subarray(0, NONCE_BYTES - NONCE_ZERO_PREFIX), NONCE_ZERO_PREFIX);
    return nonce;
  }
}
