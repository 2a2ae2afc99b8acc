import { Hono } from "hono";
import {
  decodeDeleteRequest,
  decodeGetRequest,
  decodeListRequest,
  decodePutRequest,
} from "../codec/requests";
import { DELETE_OBJECT_BOUNDS, PUT_OBJECTS_BOUNDS } from "../codec/bounds";
import { EMPTY_MESSAGE, encodeGetObject, encodeGetObjectParts, encodeListPage } from "../codec/responses";
import { configOf } from "../config";
import { invalidRequest, noSuchKey, storeImporting, writeRefused } from "../errors";
import { isImporting, ZERO_HEAD, type Head, type PutFailure, type Result } from "../store/types";
import { adminRoutes } from "../admin/routes";
import { deleteIdentity } from "./account-routes";
import { LNURL_BASE_PATH, lnurlRoutes } from "../lnurl/routes";
import { benchRoutes } from "./bench-routes";
import { renderMetrics } from "./metrics";
import { multideviceRoutes } from "./multidevice-routes";
import { historyRoutes } from "./history-routes";
import { body, identify, operation, smallBody, writeContext, type AppEnv } from "./operation";
import { normalizedPath } from "./path";
import { errorResponse, protobufResponse } from "./respond";
import { watchRoute } from "./watch-route";
import { writeObjects } from "./store-client";
import { readObject } from "./store-reads";
import { existingStore } from "./store-gate";
import { absentList } from "../store/core/absent";
import { fencedWhenAbsent } from "../store/core/writes";

/** A write answered without reaching a store (it does not exist): at the head of a store never written. */
function withZeroHead(result: Result<null, PutFailure>): Result<Head, PutFailure> {
  return result.ok ? { ok: true, value: ZERO_HEAD } : { ok: false, error: { ...result.error, head: ZERO_HEAD } };
}

/** The Hono app: route → authenticate (headers only) → read the body under its limit → decode → execute. */
export const app = new Hono<AppEnv>({ getPath: normalizedPath });

app.onError((error) => errorResponse(error));
app.notFound(() => errorResponse(invalidRequest("unknown path")));

/** Healthy means able to serve: a configuration error answers 500 here too, so monitors see it. */
app.get("/vss/health", (c) => {
  configOf(c.env);
  return c.text("ok\n");
});
app.get("/metrics", (c) => c.text(renderMetrics(), 200, { "content-type": "text/plain; version=0.0.4" }));

app.route("/bench", benchRoutes(identify));
app.route(LNURL_BASE_PATH, lnurlRoutes());

operation(app, "getObject", async (c, lease) => {
  const request = decodeGetRequest(await smallBody(c, lease));
  const { head, value: found } = await readObject(await existingStore(c.env, c.var.identity, request.storeId), request.storeId, request.key, lease);
  if (!found) throw noSuchKey(request.key, head);
  const [only] = found.chunks;
  return found.chunks.length === 1 && only
    ? protobufResponse(encodeGetObject(found.key, found.version, only), head)
    : protobufResponse(encodeGetObjectParts(found.key, found.version, found.size, found.chunks), head);
});

operation(app, "putObjects", async (c, lease) => {
  const request = decodePutRequest(await body(c, PUT_OBJECTS_BOUNDS, lease));
  const result = await writeObjects(c.env, writeContext(c, request.storeId), request);
  if (!result.ok) throw writeRefused(result.error);
  return protobufResponse(EMPTY_MESSAGE, result.value);
});

operation(app, "deleteObject", async (c, lease) => {
  const request = decodeDeleteRequest(await body(c, DELETE_OBJECT_BOUNDS, lease));
  const context = writeContext(c, request.storeId);
  const store = await existingStore(c.env, c.var.identity, request.storeId);
  const result = store ? await store.deleteObject(context, request.key, request.version) : withZeroHead(fencedWhenAbsent(context));
  if (!result.ok) throw writeRefused(result.error);
  return protobufResponse(EMPTY_MESSAGE, result.value);
});

operation(app, "listKeyVersions", async (c, lease) => {
  const request = decodeListRequest(await smallBody(c, lease), c.var.config.defaultPageSize);
  const input = { prefix: request.prefix, pageSize: request.pageSize, before: request.before };
  const store = await existingStore(c.env, c.var.identity, request.storeId);
  const page = store ? await store.listKeyVersions(request.storeId, input) : { head: ZERO_HEAD, value: absentList(input) };
  if (isImporting(page)) throw storeImporting();
  return protobufResponse(encodeListPage(page.value), page.head);
});

/** Deletes every store of the caller's identity; idempotent. The body, if any, is ignored. */
operation(app, "deleteAccount", async (c) => {
  await deleteIdentity(c.env, c.var.identity);
  return protobufResponse(EMPTY_MESSAGE);
});

multideviceRoutes(app);
historyRoutes(app);
watchRoute(app);

app.route("/admin", adminRoutes());
