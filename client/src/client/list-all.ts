import { InternalError } from "../errors.js";
import type { KeyValue, ListKeyVersionsResponse } from "../gen/vss_pb.js";
import type { CallOptions, VssClient } from "./vss-client.js";

/** What to list. */
export interface ListAllOptions extends CallOptions {
  storeId: string;
  /** Literal, case-sensitive prefix; absent lists the whole store. */
  prefix?: string;
  /** Requested page size (servers cap it, ours at 100); absent uses the server default. */
  pageSize?: number;
}

/** Every page of a listing in order, following `nextPageToken` until it is absent or empty. */
export async function* listPages(client: VssClient, options: ListAllOptions): AsyncGenerator<ListKeyVersionsResponse> {
  let pageToken: string | undefined;
  for (;;) {
    const page = await client.listKeyVersions(
      { storeId: options.storeId, keyPrefix: options.prefix, pageSize: options.pageSize, pageToken },
      { signal: options.signal },
    );
    yield page;
    if (!page.nextPageToken) return;
    if (page.nextPageToken === pageToken) throw new InternalError("server repeated a page token: pagination would never end");
    pageToken = page.nextPageToken;
  }
}

/** The whole listing: keys with versions (newest-created first) and the store's global version from page one. */
export async function listAllKeyVersions(client: VssClient, options: ListAllOptions): Promise<{ keys: KeyValue[]; globalVersion?: bigint }> {
  const keys: KeyValue[] = [];
  let globalVersion: bigint | undefined;
  let first = true;
  for await (const page of listPages(client, options)) {
    if (first) globalVersion = page.globalVersion;
    first = false;
    keys.push(...page.keyVersions);
  }
  return { keys, globalVersion };
}
