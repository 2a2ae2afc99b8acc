import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { HDKey } from "@scure/bip32";
import { describe, expect, it } from "vitest";
import { KeyObfuscator } from "../../../src/index.js";
import {
  checkNamespaceKey,
  decodeSchemaVersion,
  deriveLdkNodeSecrets,
  encodeSchemaVersion,
  InvalidNamespaceError,
  LdkKeyLayout,
  schemaMarkerKey,
} from "../../../src/ldk/index.js";

const H = (key: Uint8Array | string, message: Uint8Array) => hmac(sha256, typeof key === "string" ? utf8ToBytes(key) : key, message);

describe("ldk-node secrets", () => {
  it("derives vss_seed at m/877', the signing key at m/877'/139' and the LNURL parent at m/877'/138'", () => {
    const seed = randomBytes(64);
    const secrets = deriveLdkNodeSecrets(seed);
    const master = HDKey.fromMasterSeed(seed);
    expect(secrets.vssSeed).toEqual(master.derive("m/877'").privateKey);
    expect(secrets.signingKey).toEqual(master.derive("m/877'/139'").privateKey);
    expect(secrets.lnurlAuthParent.privateKey).toEqual(master.derive("m/877'/138'").privateKey);
    expect(secrets.lnurlAuthParent.chainCode).toEqual(master.derive("m/877'/138'").chainCode);
  });

  it("derives the data and obfuscation keys as HMAC chains from vss_seed", () => {
    const secrets = deriveLdkNodeSecrets(randomBytes(64));
    const prk = H("pseudo_random_key", secrets.vssSeed);
    const dataKey = H("data_encryption_key", prk);
    expect(secrets.dataEncryptionKey).toEqual(dataKey);
    expect(secrets.obfuscationMasterKey).toEqual(H(concatBytes(dataKey, utf8ToBytes("obfuscation_key")), prk));
  });

  it("refuses seeds BIP32 cannot use", () => {
    expect(() => deriveLdkNodeSecrets(new Uint8Array(8))).toThrow(TypeError);
    expect(() => deriveLdkNodeSecrets(new Uint8Array(65))).toThrow(TypeError);
  });
});

describe("ldk-node key layout", () => {
  const obfuscator = new KeyObfuscator(new Uint8Array(32).fill(7));

  it("V1: obf(primary#secondary)#obf(key), the whole key as AAD, round trip through extractKey", () => {
    const layout = new LdkKeyLayout(obfuscator, 1);
    const key = layout.storeKey("monitors", "", "abc_1");
    expect(key).toBe(`${obfuscator.obfuscate("monitors#")}#${obfuscator.obfuscate("abc_1")}`);
    expect(layout.listPrefix("monitors", "")).toBe(obfuscator.obfuscate("monitors#"));
    expect(layout.aad(key)).toEqual(utf8ToBytes(key));
    expect(layout.extractKey(key)).toBe("abc_1");
  });

  it("V0: namespaces in clear, no AAD, a bare obfuscated key at the top level", () => {
    const layout = new LdkKeyLayout(obfuscator, 0);
    expect(layout.storeKey("bdk_wallet", "x", "k")).toBe(`bdk_wallet#x#${obfuscator.obfuscate("k")}`);
    expect(layout.storeKey("", "", "k")).toBe(obfuscator.obfuscate("k"));
    expect(layout.aad("anything").length).toBe(0);
    expect(layout.extractKey(`bdk_wallet#x#${obfuscator.obfuscate("k")}`)).toBe("k");
  });

  it("the schema marker is obf(#)#obf(vss_schema_version); V1 encodes as 01 00", () => {
    expect(schemaMarkerKey(obfuscator)).toBe(`${obfuscator.obfuscate("#")}#${obfuscator.obfuscate("vss_schema_version")}`);
    expect(schemaMarkerKey(obfuscator)).toBe(new LdkKeyLayout(obfuscator, 1).storeKey("", "", "vss_schema_version"));
    expect(encodeSchemaVersion(1)).toEqual(Uint8Array.of(1, 0));
    expect(decodeSchemaVersion(Uint8Array.of(0, 0))).toBe(0);
    expect(() => decodeSchemaVersion(Uint8Array.of(2, 0))).toThrow(/unknown/);
  });

  it("applies LDK's namespace and key rules", () => {
    expect(() => checkNamespaceKey("a", "b", "c_-9")).not.toThrow();
    expect(() => checkNamespaceKey("", "b", "c")).toThrow(InvalidNamespaceError);
    expect(() => checkNamespaceKey("a", "", "")).toThrow(InvalidNamespaceError);
    expect(() => checkNamespaceKey("a/b", "", "c")).toThrow(InvalidNamespaceError);
    expect(() => checkNamespaceKey("a", "", "x".repeat(121))).toThrow(InvalidNamespaceError);
    expect(() => checkNamespaceKey("", "")).not.toThrow();
  });
});
