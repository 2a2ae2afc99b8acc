import { utf8ToBytes } from "@noble/hashes/utils.js";
import type { KeyObfuscator } from "../crypto/key-obfuscator.js";

/** ldk-node's schema versions: V0 kept namespaces in clear and used no AAD; V1 obfuscates them and binds the key. */
export type SchemaVersion = 0 | 1;
/** The separator between namespace and key parts of a storage key. */
export const SEPARATOR = "#";
/** The key (under empty namespaces) that records the schema version. */
export const SCHEMA_VERSION_KEY = "vss_schema_version";
const NO_AAD = new Uint8Array(0);

/** Thrown for a storage key that does not have the layout's shape. */
export class KeyLayoutError extends Error {
  override readonly name = "KeyLayoutError";
}

/** Maps (primary namespace, secondary namespace, key) to ldk-node's VSS storage keys and back. */
export class LdkKeyLayout {
  constructor(
    readonly obfuscator: KeyObfuscator,
    readonly version: SchemaVersion,
  ) {}

  /** V1: obf(primary#secondary)#obf(key). V0: primary#secondary#obf(key), or obf(key) without a primary. */
  storeKey(primary: string, secondary: string, key: string): string {
    const obfuscatedKey = this.obfuscator.obfuscate(key);
    if (this.version === 0 && primary === "") return obfuscatedKey;
    return this.listPrefix(primary, secondary) + SEPARATOR + obfuscatedKey;
  }

  /** The listKeyVersions prefix of a namespace pair, exactly as ldk-node sends it. */
  listPrefix(primary: string, secondary: string): string {
    const namespace = primary + SEPARATOR + secondary;
    return this.version === 1 ? this.obfuscator.obfuscate(namespace) : namespace;
  }

  /** The plain key of a listed storage key. */
  extractKey(storeKey: string): string {
    const parts = this.version === 1 ? 2 : 3;
    const pieces = storeKey.split(SEPARATOR);
    if (pieces.length < parts) throw new KeyLayoutError(`not a schema V${this.version} key: ${storeKey}`);
    return this.obfuscator.deobfuscate(pieces.slice(parts - 1).join(SEPARATOR));
  }

  /** The AAD of a value: the whole storage key in V1, nothing in V0. */
  aad(storeKey: string): Uint8Array {
    return this.version === 1 ? utf8ToBytes(storeKey) : NO_AAD;
  }
}

/** The storage key of ldk-node's schema marker; the same in both versions' stores. */
export function schemaMarkerKey(obfuscator: KeyObfuscator): string {
  return obfuscator.obfuscate(SEPARATOR) + SEPARATOR + obfuscator.obfuscate(SCHEMA_VERSION_KEY);
}
