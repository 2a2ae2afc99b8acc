// The ldk-node layer (`@edge-vss/client/ldk`): an ldk-node wallet's VSS secrets from its seed, its key layout and
// schema marker, and a key-value store over VssClient that reads and writes the wallet's store as ldk-node does.
export {
  deriveLdkNodeSecrets,
  VSS_HARDENED_CHILD_INDEX,
  VSS_SIGS_AUTH_HARDENED_CHILD_INDEX,
  LNURL_AUTH_HARDENED_CHILD_INDEX,
  type LdkNodeSecrets,
} from "./secrets.js";
export { LdkKeyLayout, schemaMarkerKey, SCHEMA_VERSION_KEY, KeyLayoutError, type SchemaVersion } from "./key-layout.js";
export { determineSchemaVersion, encodeSchemaVersion, decodeSchemaVersion, SchemaVersionError } from "./schema-version.js";
export { LdkNodeKvStore, type LdkNodeKvStoreOptions } from "./kv-store.js";
export { checkNamespaceKey, InvalidNamespaceError } from "./validation.js";
