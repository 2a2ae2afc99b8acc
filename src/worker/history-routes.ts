import type { Hono } from "hono";
import { decodeGetHistory, decodeGetVersion, encodeHistory, encodeVersionParts } from "../codec/history";
import { storeImporting } from "../errors";
import { EMPTY_HISTORY } from "../store/history/read";
import { isImporting } from "../store/types";
import { operation, smallBody, type AppEnv } from "./operation";
import { protobufResponse } from "./respond";
import { existingStore } from "./store-gate";
import { readVersion } from "./store-reads";

/**
 * The history routes (HISTORY.md §4): authenticated, scoped and rate-limited like the VSS operations. Both answer
 * with the store's head in `vss-revision` and `vss-digest`, as every store-scoped answer does.
 */
export function historyRoutes(app: Hono<AppEnv>): void {
  operation(app, "getHistory", async (c, lease) => {
    const request = decodeGetHistory(await smallBody(c, lease));
    const store = await existingStore(c.env, c.var.identity, request.storeId);
    const page = store ? await store.getHistory(request.storeId, request.afterRevision, request.pageSize, request.resumeKey) : EMPTY_HISTORY;
    if (isImporting(page)) throw storeImporting();
    return protobufResponse(encodeHistory(page), { revision: page.headRevision, digest: page.headDigest });
  });

  operation(app, "getVersion", async (c, lease) => {
    const request = decodeGetVersion(await smallBody(c, lease));
    const store = await existingStore(c.env, c.var.identity, request.storeId);
    const found = await readVersion(store, request.storeId, request.key, request.revision, lease);
    return protobufResponse(encodeVersionParts(found.value, found.revision), found.head);
  });
}
