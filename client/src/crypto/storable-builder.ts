import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { concatBytes, randomBytes } from "@noble/hashes/utils.js";
import { PlaintextBlobSchema, StorableSchema, type Storable } from "../gen/vss_pb.js";

/** The only cipher format vss-client writes and reads. */
export const CIPHER_FORMAT = "ChaCha20Poly1305";
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const EMPTY = new Uint8Array(0);

/** Thrown when a Storable cannot be opened: missing metadata, bad lengths or a bad tag. */
export class StorableError extends Error {
  override readonly name = "StorableError";
}

/** A decrypted value and the version recorded inside its envelope. */
export interface Deconstructed {
  value: Uint8Array;
  version: bigint;
}

/**
 * Client-side encryption of values, byte-compatible with vss-client's StorableBuilder (CLIENTS.md §4):
 * PlaintextBlob{value, version} sealed with ChaCha20-Poly1305 under a random 12-byte nonce and caller AAD.
 */
export class StorableBuilder {
  readonly #key: Uint8Array;
  readonly #random: (length: number) => Uint8Array;

  constructor(dataEncryptionKey: Uint8Array, random: (length: number) => Uint8Array = randomBytes) {
    if (dataEncryptionKey.length !== KEY_BYTES) throw new TypeError("the data encryption key has 32 bytes");
    this.#key = Uint8Array.from(dataEncryptionKey);
    this.#random = random;
  }

  /** Seals `value` with `version` inside; `aad` binds it to its storage key (ldk-node: the key string). */
  build(value: Uint8Array, version: bigint | number, aad: Uint8Array = EMPTY): Storable {
    const plaintext = toBinary(PlaintextBlobSchema, create(PlaintextBlobSchema, { value, version: BigInt(version) }));
    const nonce = this.#random(NONCE_BYTES);
    const sealed = chacha20poly1305(this.#key, nonce, aad).encrypt(plaintext);
    return create(StorableSchema, {
      data: sealed.subarray(0, plaintext.length),
      encryptionMetadata: { cipherFormat: CIPHER_FORMAT, nonce, tag: sealed.subarray(plaintext.length) },
    });
  }

  /** {@link build} and encode: the bytes to send as `KeyValue.value`. */
  seal(value: Uint8Array, version: bigint | number, aad: Uint8Array = EMPTY): Uint8Array {
    return toBinary(StorableSchema, this.build(value, version, aad));
  }

  /**
   * Opens a Storable; throws StorableError when it was not sealed with this key and `aad`. Like the reference,
   * `cipher_format` is not checked: the tag is what proves the format.
   */
  deconstruct(storable: Storable, aad: Uint8Array = EMPTY): Deconstructed {
    const metadata = storable.encryptionMetadata;
    if (!metadata) throw new StorableError("Storable without encryption metadata");
    if (metadata.nonce.length !== NONCE_BYTES) throw new StorableError(`nonce of ${metadata.nonce.length} bytes, expected ${NONCE_BYTES}`);
    if (metadata.tag.length !== TAG_BYTES) throw new StorableError(`tag of ${metadata.tag.length} bytes, expected ${TAG_BYTES}`);
    let plaintext: Uint8Array;
    try {
      plaintext = chacha20poly1305(this.#key, metadata.nonce, aad).decrypt(concatBytes(storable.data, metadata.tag));
    } catch {
      throw new StorableError("authentication tag does not match: wrong key, wrong AAD or damaged data");
    }
    const blob = fromBinary(PlaintextBlobSchema, plaintext);
    return { value: blob.value, version: blob.version };
  }

  /** Decodes the bytes of `KeyValue.value` and opens them. */
  open(bytes: Uint8Array, aad: Uint8Array = EMPTY): Deconstructed {
    let storable: Storable;
    try {
      storable = fromBinary(StorableSchema, bytes);
    } catch (cause) {
      throw new StorableError("value is not a Storable", { cause });
    }
    return this.deconstruct(storable, aad);
  }
}
