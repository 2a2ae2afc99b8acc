import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { CIPHER_FORMAT, DeobfuscationError, KeyObfuscator, StorableBuilder, StorableError, StorableSchema } from "../../../src/index.js";

const CHARSET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_!@#,;:% *$^&()[]{}.\t\n\ré€😀";

function randomKey(length: number): string {
  return Array.from({ length }, () => [...CHARSET][Math.floor(Math.random() * [...CHARSET].length)]).join("");
}

describe("KeyObfuscator", () => {
  it("round-trips random keys under random masters, deterministically", () => {
    for (let i = 0; i < 100; i++) {
      const obfuscator = new KeyObfuscator(randomBytes(32));
      const key = randomKey(Math.floor(Math.random() * 128));
      const obfuscated = obfuscator.obfuscate(key);
      expect(obfuscated).not.toContain("=");
      expect(obfuscator.obfuscate(key)).toBe(obfuscated);
      expect(obfuscator.deobfuscate(obfuscated)).toBe(key);
    }
  });

  it("refuses another master's keys, short input and non-base64", () => {
    const key = new KeyObfuscator(randomBytes(32)).obfuscate("secret");
    const other = new KeyObfuscator(randomBytes(32));
    expect(() => other.deobfuscate(key)).toThrow(DeobfuscationError);
    expect(() => other.deobfuscate("AAAA")).toThrow(/shorter than 44/);
    expect(() => other.deobfuscate("not base64!")).toThrow(DeobfuscationError);
  });

  it("needs a 32-byte master", () => {
    expect(() => new KeyObfuscator(new Uint8Array(31))).toThrow(TypeError);
  });
});

describe("StorableBuilder", () => {
  it("round-trips random values and AAD, with a fresh 12-byte nonce and a separate 16-byte tag", () => {
    const builder = new StorableBuilder(randomBytes(32));
    for (let i = 0; i < 50; i++) {
      const value = randomBytes(Math.floor(Math.random() * 4096));
      const aad = randomBytes(Math.floor(Math.random() * 64));
      const storable = builder.build(value, BigInt(i) - 1n, aad);
      expect(storable.encryptionMetadata?.cipherFormat).toBe(CIPHER_FORMAT);
      expect(storable.encryptionMetadata?.nonce.length).toBe(12);
      expect(storable.encryptionMetadata?.tag.length).toBe(16);
      const bytes = toBinary(StorableSchema, storable);
      const opened = builder.open(bytes, aad);
      expect(opened.value).toEqual(value);
      expect(opened.version).toBe(BigInt(i) - 1n);
    }
  });

  it("ciphertext has the plaintext blob's length", () => {
    const builder = new StorableBuilder(randomBytes(32));
    const storable = builder.build(new Uint8Array(100), 1);
    // PlaintextBlob{value: 100 bytes, version: 1} = 2 + 100 + 2 bytes.
    expect(storable.data.length).toBe(104);
  });

  it("rejects a wrong AAD, a wrong key, a flipped bit and bad metadata", () => {
    const key = randomBytes(32);
    const builder = new StorableBuilder(key);
    const aad = utf8ToBytes("ns#key");
    const bytes = builder.seal(utf8ToBytes("hello"), -1, aad);
    expect(() => builder.open(bytes, utf8ToBytes("other"))).toThrow(StorableError);
    expect(() => new StorableBuilder(randomBytes(32)).open(bytes, aad)).toThrow(StorableError);

    const flipped = fromBinary(StorableSchema, bytes);
    flipped.data[0] = (flipped.data[0] ?? 0) ^ 1;
    expect(() => builder.deconstruct(flipped, aad)).toThrow(/tag does not match/);

    const noMetadata = fromBinary(StorableSchema, bytes);
    noMetadata.encryptionMetadata = undefined;
    expect(() => builder.deconstruct(noMetadata, aad)).toThrow(/without encryption metadata/);

    const shortNonce = fromBinary(StorableSchema, bytes);
    shortNonce.encryptionMetadata!.nonce = new Uint8Array(8);
    expect(() => builder.deconstruct(shortNonce, aad)).toThrow(/nonce of 8 bytes/);

    const shortTag = fromBinary(StorableSchema, bytes);
    shortTag.encryptionMetadata!.tag = shortTag.encryptionMetadata!.tag.subarray(0, 15);
    expect(() => builder.deconstruct(shortTag, aad)).toThrow(/tag of 15 bytes/);

    expect(() => builder.open(Uint8Array.of(0xff, 0xff, 0xff))).toThrow(StorableError);
  });
});
