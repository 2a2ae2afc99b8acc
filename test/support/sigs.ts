import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { sigsDigest } from "../../src/auth/sigs";

/** A fresh sigs identity: a random secp256k1 key that signs ldk-node-style authorization headers. */
export class SigsKey {
  readonly secretKey = secp256k1.utils.randomSecretKey();
  readonly publicKeyHex = bytesToHex(secp256k1.getPublicKey(this.secretKey, true));

  /** The `authorization` value ldk-node would send at `timestamp` (unix seconds, default now). */
  header(timestamp = Math.floor(Date.now() / 1000)): string {
    const text = String(timestamp);
    const digest = sigsDigest(secp256k1.getPublicKey(this.secretKey, true), text);
    const signature = secp256k1.sign(digest, this.secretKey, { prehash: false, lowS: true });
    return this.publicKeyHex + bytesToHex(signature) + text;
  }
}
