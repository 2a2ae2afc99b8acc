// Every test vector of shared/spec/CLIENTS.md §6, taken from the reference client's own tests.
import { fromBinary } from "@bufbuild/protobuf";
import { hexToBytes } from "@noble/hashes/utils.js";
import { HDKey } from "@scure/bip32";
import { describe, expect, it } from "vitest";
import { KeyObfuscator, StorableBuilder, StorableSchema, linkingKeyPath, signLnurl } from "../../../src/index.js";

const fill = (byte: number) => new Uint8Array(32).fill(byte);

describe("CLIENTS.md §6 vectors", () => {
  it("obfuscates a_semi_secret_key under 32 × 0x2a", () => {
    const obfuscator = new KeyObfuscator(fill(0x2a));
    const expected = "cMoet5WTvl0nYds+VW7JPCtXUq24DtMG2dR9apAi/T5jy8eNIEyDrUAJBS4geeUuX+XGXPqlizIByOip2g";
    expect(obfuscator.obfuscate("a_semi_secret_key")).toBe(expected);
    expect(obfuscator.deobfuscate(expected)).toBe("a_semi_secret_key");
  });

  it("deobfuscates a 0.3.1 key under 32 × 0xab", () => {
    const obfuscator = new KeyObfuscator(fill(0xab));
    const v031 = "nxrixRQPGawY+a9JFLThii0RgeADtEdSjh2YDgpZhBKOuw6GKr5UAIIwsQCathJlZsmuSku+RGB1/JuxFUMQGoAwa+M8tg";
    expect(obfuscator.deobfuscate(v031)).toBe("my_storage_key_v031_compat");
    expect(obfuscator.obfuscate("my_storage_key_v031_compat")).toBe(v031);
  });

  it("decrypts a 0.3.1 Storable (empty AAD, 4 zero bytes of nonce)", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const hex =
      "0a1d3219e9fb45d742f56c401b7413e7ae07fd81e1433af2863ce88f01f86c12320a104368614368613230506f6c7931333035120c0000000000010203040506071a1087163502261e30ec7cf14b7970a24116";
    const bytes = hexToBytes(hex);
    expect(bytes.length).toBe(83);
    const opened = new StorableBuilder(key).deconstruct(fromBinary(StorableSchema, bytes));
    expect(new TextDecoder().decode(opened.value)).toBe("backward_compat_test_data");
    expect(opened.version).toBe(42n);
  });

  it("derives the LUD-05 linking path for site.com", () => {
    const hashingKey = hexToBytes("7d417a6a5e9a6a4a879aeaba11a11838764c8fa2b959c242d43dea682b3e409b");
    expect(linkingKeyPath(hashingKey, "site.com")).toEqual([1588488367, 2659270754, 38110259, 4136336762]);
  });

  it("signs an LNURL-auth challenge with the linking key of a master from 32 × 0xab", () => {
    const parent = HDKey.fromMasterSeed(fill(0xab));
    const lnurl = "https://example.com/path?tag=login&k1=e2af6254a8df433264fa23f67eb8188635d15ce883e8fc020989d5f82ae6f11e";
    expect(signLnurl(parent, lnurl)).toBe(
      lnurl +
        "&sig=3045022100a75df468de452e618edb8030016eb0894204655c7d93ece1be007fcf36843522022048bc2f00a0a5a30601d274b49cfaf9ef4c76176e5401d0dfb195f5d6ab8ab4c4" +
        "&key=02d9eb1b467517d685e3b5439082c14bb1a2c9ae672df4d9046d208c193a5846e0",
    );
  });
});
