import { KeyObfuscator } from "../crypto/key-obfuscator.js";
import { StorableBuilder } from "../crypto/storable-builder.js";
import { listPages } from "../client/list-all.js";
import type { CallOptions, VssClient } from "../client/vss-client.js";
import { LdkKeyLayout, SEPARATOR, type SchemaVersion } from "./key-layout.js";
import { determineSchemaVersion } from "./schema-version.js";
import { deriveLdkNodeSecrets } from "./secrets.js";
import { checkNamespaceKey } from "./validation.js";

/** ldk-node writes and deletes with version -1: last writer wins, the server keeps no history. */
const UPSERT = -1n;

/** How to open an {@link LdkNodeKvStore}. */
export interface LdkNodeKvStoreOptions extends CallOptions {
  client: VssClient;
  storeId: string;
  /** The wallet's node seed (ldk-node: 64 bytes). */
  seed: Uint8Array;
  /** Do not write the schema marker into a fresh store. */
  readOnly?: boolean;
  /** Skip detection and use this layout. */
  schemaVersion?: SchemaVersion;
  /** A verifying client only: audit every value read against the verified chain (ValueAuditError); default off. */
  audit?: boolean;
}

/**
 * ldk-node's KVStore over VSS: the same key layout, the same encryption (key string as AAD in V1) and the same
 * secrets, so a program holding the seed reads what an ldk-node wallet wrote, and the other way round.
 */
export class LdkNodeKvStore {
  readonly #pending = new Map<string, Promise<unknown>>();

  private constructor(
    readonly client: VssClient,
    readonly storeId: string,
    readonly layout: LdkKeyLayout,
    readonly builder: StorableBuilder,
    readonly audit: boolean,
  ) {}

  /** Derives the secrets from the seed and finds (or, unless read-only, records) the store's schema version. */
  static async open(options: LdkNodeKvStoreOptions): Promise<LdkNodeKvStore> {
    const secrets = deriveLdkNodeSecrets(options.seed);
    const obfuscator = new KeyObfuscator(secrets.obfuscationMasterKey);
    const builder = new StorableBuilder(secrets.dataEncryptionKey);
    const version =
      options.schemaVersion ??
      (await determineSchemaVersion({ ...options, obfuscator, builder }));
    return new LdkNodeKvStore(options.client, options.storeId, new LdkKeyLayout(obfuscator, version), builder, options.audit ?? false);
  }

  /** The layout in use. */
  get schemaVersion(): SchemaVersion {
    return this.layout.version;
  }

  /** Reads and decrypts a value; NoSuchKeyError when absent; audited against the verified chain when the store was opened with `audit`. */
  async read(primary: string, secondary: string, key: string, options: CallOptions = {}): Promise<Uint8Array> {
    checkNamespaceKey(primary, secondary, key);
    const storeKey = this.layout.storeKey(primary, secondary, key);
    const found = await this.client.getObject({ storeId: this.storeId, key: storeKey }, { audit: this.audit || undefined, ...options });
    return this.builder.open(found.value, this.layout.aad(storeKey)).value;
  }

  /** Encrypts and upserts a value. Writes to one key are sent in call order, one at a time. */
  async write(primary: string, secondary: string, key: string, value: Uint8Array, options: CallOptions = {}): Promise<void> {
    checkNamespaceKey(primary, secondary, key);
    const storeKey = this.layout.storeKey(primary, secondary, key);
    const sealed = this.builder.seal(value, UPSERT, this.layout.aad(storeKey));
    await this.#serialized(storeKey, () =>
      this.client.putObjects({ storeId: this.storeId, transactionItems: [{ key: storeKey, version: UPSERT, value: sealed }] }, options),
    );
  }

  /** Deletes a key whatever its version; succeeds when it was already gone. */
  async remove(primary: string, secondary: string, key: string, options: CallOptions = {}): Promise<void> {
    checkNamespaceKey(primary, secondary, key);
    const storeKey = this.layout.storeKey(primary, secondary, key);
    await this.#serialized(storeKey, () =>
      this.client.deleteObject({ storeId: this.storeId, keyValue: { key: storeKey, version: UPSERT } }, options),
    );
  }

  /** The plain keys of a namespace pair, newest-created first (the top level includes `vss_schema_version`). */
  async list(primary: string, secondary: string, options: CallOptions = {}): Promise<string[]> {
    checkNamespaceKey(primary, secondary);
    const prefix = this.layout.listPrefix(primary, secondary);
    const keys: string[] = [];
    for await (const page of listPages(this.client, { storeId: this.storeId, prefix, signal: options.signal })) {
      for (const { key } of page.keyVersions) if (key.startsWith(prefix + SEPARATOR)) keys.push(this.layout.extractKey(key));
    }
    return keys;
  }

  /** Chains operations on one storage key so they reach the server in call order. */
  async #serialized<T>(storeKey: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#pending.get(storeKey) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(operation);
    this.#pending.set(storeKey, next);
    try {
      return await next;
    } finally {
      if (this.#pending.get(storeKey) === next) this.#pending.delete(storeKey);
    }
  }
}
