import { Hono, type Context } from "hono";
import { authenticate, authenticatorsFor, type Authenticator } from "../auth";
import {
  decodeDeleteRequest,
  decodeGetRequest,
  decodeListRequest,
  decodePutRequest,
} from "../codec/requests";
import { DELETE_OBJECT_BOUNDS, PUT_OBJECTS_BOUNDS, streamingGuard } from "../codec/bounds";
import { EMPTY_MESSAGE, encodeGetObject, encodeGetObjectParts, encodeListPage } from "../codec/responses";
import { configOf, type Config } from "../config";
import type { Env } from "../env";
import { authFailed, conflict, invalidRequest, noSuchKey, quotaExceeded, rateLimited } from "../errors";
import { SMALL_REQUEST_MAX_BYTES } from "../store/limits";
import type { WriteContext } from "../store/types";
import { adminRoutes, deleteIdentity } from "./account-routes";
import { LNURL_BASE_PATH, lnurlRoutes } from "../lnurl/routes";
import { benchRoutes } from "./bench-routes";
import { readBody, type BodyGuard } from "./body";
import { countRequest, renderMetrics } from "./metrics";
import { clientAddress, RATE_LIMIT_RETRY_AFTER_SECONDS, withinLimit } from "./rate-limit";
import { errorResponse, protobufResponse } from "./respond";
import { readObject, storeFor, writeObjects } from "./store-client";

type AppEnv = { Bindings: Env; Variables: { config: Config; identity: string } };

/** Clients join the base URL and the operation by concatenation: "/vss/" + "/getObject" is the same route. */
function normalizedPath(request: Request): string {
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return url.slice(start, query < 0 ? undefined : query).replace(/\/{2,}/g, "/");
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

const authenticators = new WeakMap<Config, Authenticator[]>();

/**
 * The request's namespaced identity from its headers alone; throws the AUTH error when no scheme vouches for it.
 * Rate limits (worker/rate-limit.ts): every request counts per client address before any signature check, a
 * failed authentication counts once more per address, a success per identity. Over any of them → 429.
 */
async function identify(c: Context<AppEnv>): Promise<string> {
  const config = configOf(c.env);
  const address = clientAddress(c.req.raw);
  if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_ADDRESS", address))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
  let list = authenticators.get(config);
  if (!list) authenticators.set(config, (list = authenticatorsFor(config)));
  const identity = await authenticate(list, c.req.raw, Math.floor(Date.now() / 1000));
  if (identity === null) {
    if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_AUTH_FAILURES", address))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
    throw authFailed();
  }
  if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_IDENTITY", identity))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
  c.set("config", config);
  c.set("identity", identity);
  return identity;
}

app.route("/bench", benchRoutes(identify));
app.route(LNURL_BASE_PATH, lnurlRoutes());

/** Authenticates from the headers alone, then runs the operation; counts the answer for /metrics. */
function operation(name: string, handler: (c: Context<AppEnv>) => Promise<Response>) {
  app.post(`/vss/${name}`, async function authenticated(c) {
    await identify(c);
    const response = await handler(c).catch((error: unknown) => errorResponse(error));
    countRequest(name, response.status);
    return response;
  });
}

/** Who writes to which store, under which quotas. */
function writeContext(c: Context<AppEnv>, storeId: string): WriteContext {
  const { storeLimits, identityLimits, identityStores } = c.var.config;
  return { identity: c.var.identity, storeId, storeLimits, identityLimits, identityStores };
}

/** The request body under the configured size limit, watched by `guard` while it streams in. */
async function body(c: Context<AppEnv>, guard?: BodyGuard): Promise<Uint8Array> {
  return readBody(c.req.raw, c.var.config.maxRequestBytes, guard);
}

/** The body of a request that carries no value: a few KiB at most, whatever the configured limit. */
async function smallBody(c: Context<AppEnv>): Promise<Uint8Array> {
  return readBody(c.req.raw, Math.min(c.var.config.maxRequestBytes, SMALL_REQUEST_MAX_BYTES));
}

operation("getObject", async (c) => {
  const request = decodeGetRequest(await smallBody(c));
  const found = await readObject(storeFor(c.env, c.var.identity, request.storeId), request.key);
  if (!found) throw noSuchKey(request.key);
  const [only] = found.chunks;
  return found.chunks.length === 1 && only
    ? protobufResponse(encodeGetObject(found.key, found.version, only))
    : protobufResponse(encodeGetObjectParts(found.key, found.version, found.size, found.chunks));
});

operation("putObjects", async (c) => {
  const request = decodePutRequest(await body(c, streamingGuard(PUT_OBJECTS_BOUNDS)));
  const result = await writeObjects(storeFor(c.env, c.var.identity, request.storeId), writeContext(c, request.storeId), request);
  if (!result.ok) {
    if (result.error.kind === "conflict") throw conflict(result.error.message);
    if (result.error.kind === "quota") throw quotaExceeded(result.error.message);
    throw new Error(result.error.message);
  }
  return protobufResponse(EMPTY_MESSAGE);
});

operation("deleteObject", async (c) => {
  const request = decodeDeleteRequest(await body(c, streamingGuard(DELETE_OBJECT_BOUNDS)));
  const store = storeFor(c.env, c.var.identity, request.storeId);
  await store.deleteObject(writeContext(c, request.storeId), request.key, request.version);
  return protobufResponse(EMPTY_MESSAGE);
});

operation("listKeyVersions", async (c) => {
  const request = decodeListRequest(await smallBody(c), c.var.config.defaultPageSize);
  const page = await storeFor(c.env, c.var.identity, request.storeId).listKeyVersions({
    prefix: request.prefix,
    pageSize: request.pageSize,
    before: request.before,
  });
  return protobufResponse(encodeListPage(page));
});

/** Deletes every store of the caller's identity; idempotent. The body, if any, is ignored. */
operation("deleteAccount", async (c) => {
  await deleteIdentity(c.env, c.var.identity);
  return protobufResponse(EMPTY_MESSAGE);
});

app.route("/admin", adminRoutes());
