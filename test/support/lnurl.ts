import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { HDKey } from "@scure/bip32";

/** LUD-05: the four child numbers of the linking key for `domain`, from the hashing private key. */
export function linkingPath(hashingKey: Uint8Array, domain: string): number[] {
  const digest = hmac(sha256, hashingKey, new TextEncoder().encode(domain));
  const view = new DataView(digest.buffer, digest.byteOffset, 16);
  return [0, 4, 8, 12].map((offset) => view.getUint32(offset, false));
}

/** LUD-05 as ldk-node does it: hashing key = parent/0, linking key = parent/n1/n2/n3/n4 for the URL's domain. */
export function linkingKey(parent: HDKey, domain: string): HDKey {
  const hashing = parent.deriveChild(0).privateKey;
  if (!hashing) throw new Error("parent key has no private key");
  return linkingPath(hashing, domain).reduce((key, index) => key.deriveChild(index), parent);
}

/** What ldk-node's client appends to a login URL: `&sig=<DER hex>&key=<compressed pubkey hex>` for its k1. */
export function signLoginUrl(parent: HDKey, loginUrl: string): string {
  const url = new URL(loginUrl);
  const k1 = url.searchParams.get("k1") ?? "";
  const linking = linkingKey(parent, url.hostname);
  const sig = secp256k1.sign(hexToBytes(k1), linking.privateKey!, { prehash: false, lowS: true, format: "der" });
  return `${loginUrl}&sig=${bytesToHex(sig)}&key=${bytesToHex(linking.publicKey!)}`;
}

/** ldk-node's LNURL parent key: m/877'/138' of the master built from `seed`. */
export function lnurlParentKey(seed: Uint8Array): HDKey {
  return HDKey.fromMasterSeed(seed).derive("m/877'/138'");
}
