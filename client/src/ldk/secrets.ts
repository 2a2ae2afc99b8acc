import { HARDENED_OFFSET, HDKey } from "@scure/bip32";
import { derivePair } from "../crypto/hkdf.js";

/** ldk-node derives everything VSS needs below m/877'. */
export const VSS_HARDENED_CHILD_INDEX = 877;
/** The sigs authorization key: m/877'/139'. */
export const VSS_SIGS_AUTH_HARDENED_CHILD_INDEX = 139;
/** The LNURL-auth parent key: m/877'/138'. */
export const LNURL_AUTH_HARDENED_CHILD_INDEX = 138;
/** BIP32 accepts master seeds of 16 to 64 bytes; ldk-node's node entropy gives 64. */
const MIN_SEED_BYTES = 16;
const MAX_SEED_BYTES = 64;

/** The VSS secrets of an ldk-node wallet, all derived from its seed alone. */
export interface LdkNodeSecrets {
  /** The private key at m/877': the root of the encryption and obfuscation keys. */
  vssSeed: Uint8Array;
  /** ChaCha20-Poly1305 key of every value (StorableBuilder). */
  dataEncryptionKey: Uint8Array;
  /** Master key of the KeyObfuscator. */
  obfuscationMasterKey: Uint8Array;
  /** The sigs authorization secret key at m/877'/139' (pass to `sigsAuth`). */
  signingKey: Uint8Array;
  /** The LNURL-auth parent at m/877'/138' (pass to `lnurlAuthJwt`). */
  lnurlAuthParent: HDKey;
}

function hardened(index: number): number {
  return HARDENED_OFFSET + index;
}

/** Derives exactly the keys ldk-node's VssStoreBuilder derives from `seed` (the network does not matter). */
export function deriveLdkNodeSecrets(seed: Uint8Array): LdkNodeSecrets {
  if (seed.length < MIN_SEED_BYTES || seed.length > MAX_SEED_BYTES) throw new TypeError("a BIP32 seed has 16 to 64 bytes (ldk-node: 64)");
  const vss = HDKey.fromMasterSeed(seed).deriveChild(hardened(VSS_HARDENED_CHILD_INDEX));
  const signing = vss.deriveChild(hardened(VSS_SIGS_AUTH_HARDENED_CHILD_INDEX));
  const lnurlAuthParent = vss.deriveChild(hardened(LNURL_AUTH_HARDENED_CHILD_INDEX));
  if (!vss.privateKey || !signing.privateKey) throw new Error("BIP32 derivation produced no private key");
  const [dataEncryptionKey, obfuscationMasterKey] = derivePair(vss.privateKey, "data_encryption_key", "obfuscation_key");
  return { vssSeed: vss.privateKey, dataEncryptionKey, obfuscationMasterKey, signingKey: signing.privateKey, lnurlAuthParent };
}
