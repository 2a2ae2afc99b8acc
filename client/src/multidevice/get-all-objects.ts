import { InternalError } from "../errors.js";
import type { KeyValue } from "../gen/vss_pb.js";
import type { CallOptions, VssClient } from "../client/vss-client.js";

/** MULTIDEVICE.md §7: at most this many keys per getObjects request. */
export const GET_OBJECTS_MAX_KEYS = 100;

/** Every value asked for, and the keys that do not exist. */
export interface AllObjects {
  /** In the order of the keys asked for (a repeated key once). */
  values: KeyValue[];
  missingKeys: string[];
}

/**
 * Reads any number of keys with getObjects: batches of 100 distinct keys, each batch asked again for its
 * `remainingKeys` (the server's 16 MiB response budget) until every key is answered.
 */
export async function getAllObjects(client: VssClient, storeId: string, keys: Iterable<string>, options: CallOptions = {}): Promise<AllObjects> {
  const distinct = [...new Set(keys)];
  const values: KeyValue[] = [];
  const missingKeys: string[] = [];
  for (let start = 0; start < distinct.length; start += GET_OBJECTS_MAX_KEYS) {
    let batch = distinct.slice(start, start + GET_OBJECTS_MAX_KEYS);
    while (batch.length > 0) {
      const response = await client.getObjects({ storeId, keys: batch }, options);
      if (response.remainingKeys.length >= batch.length) throw new InternalError("server violated the API: getObjects answered no key");
      values.push(...response.values);
      missingKeys.push(...response.missingKeys);
      batch = response.remainingKeys;
    }
  }
  return { values, missingKeys };
}
