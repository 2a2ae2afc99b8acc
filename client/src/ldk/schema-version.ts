import { NoSuchKeyError } from "../errors.js";
import type { KeyObfuscator } from "../crypto/key-obfuscator.js";
import type { StorableBuilder } from "../crypto/storable-builder.js";
import type { VssClient } from "../client/vss-client.js";
import { schemaMarkerKey, type SchemaVersion } from "./key-layout.js";

/** V0 stores predate the marker; ldk-node recognises them by wallet data under this clear-text prefix. */
export const V0_BDK_WALLET_PREFIX = "bdk_wallet#";
/** ldk-node writes every value with version -1 (unconditional upsert), the marker included. */
const UPSERT = -1n;

/** Thrown when the marker holds something this client cannot read. */
export class SchemaVersionError extends Error {
  override readonly name = "SchemaVersionError";
}

/**
 * LDK's serialization of the schema enum: the variant id as one byte, then the variant's TLV stream prefixed with
 * its BigSize length, which is 0 for these field-less variants.
 */
export function encodeSchemaVersion(version: SchemaVersion): Uint8Array {
  return Uint8Array.of(version, 0);
}

/** Reads the variant id written by {@link encodeSchemaVersion} (or by ldk-node). */
export function decodeSchemaVersion(bytes: Uint8Array): SchemaVersion {
  const [id] = bytes;
  if (id === 0 || id === 1) return id;
  throw new SchemaVersionError(`unknown VSS schema version ${id ?? "(empty)"}`);
}

/** Where to look and what to do when the store has no marker. */
export interface SchemaContext {
  client: VssClient;
  storeId: string;
  obfuscator: KeyObfuscator;
  builder: StorableBuilder;
  /** Never write the marker (inspection tools); a fresh store is then assumed to be V1. */
  readOnly?: boolean;
  signal?: AbortSignal;
}

/** ldk-node's start-up: read the marker; without one, V0 if wallet data exists, otherwise write a V1 marker. */
export async function determineSchemaVersion(context: SchemaContext): Promise<SchemaVersion> {
  const { client, storeId, builder, signal } = context;
  const key = schemaMarkerKey(context.obfuscator);
  const aad = new TextEncoder().encode(key);
  try {
    const found = await client.getObject({ storeId, key }, { signal });
    return decodeSchemaVersion(builder.open(found.value, aad).value);
  } catch (error) {
    if (!(error instanceof NoSuchKeyError)) throw error;
  }
  const v0 = await client.listKeyVersions({ storeId, keyPrefix: V0_BDK_WALLET_PREFIX }, { signal });
  if (v0.keyVersions.length > 0) return 0;
  if (!context.readOnly) {
    const value = builder.seal(encodeSchemaVersion(1), UPSERT, aad);
    await client.putObjects({ storeId, transactionItems: [{ key, version: UPSERT, value }] }, { signal });
  }
  return 1;
}
