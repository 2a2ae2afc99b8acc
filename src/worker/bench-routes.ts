import { Hono, type Context } from "hono";
import { decodeGetRequest } from "../codec/requests";
import { EMPTY_MESSAGE } from "../codec/responses";
import { configOf, type Config } from "../config";
import type { Env } from "../env";
import { invalidRequest } from "../errors";
import { readBody } from "./body";
import { protobufResponse } from "./respond";
import { storeFor } from "../store/address";
import { sha256 } from "../store/history/digest";

type BenchEnv = { Bindings: Env; Variables: { config: Config; identity: string } };

/** Resolves the request's namespaced identity or throws the AUTH error, exactly as the VSS operations do. */
export type Identify = (c: Context<BenchEnv>) => Promise<string>;

/**
 * The benchmark's two floors (`npm run bench`), served only when VSS_BENCH_FLOORS is "true"; otherwise the paths
 * are unknown like any other. `worker-floor` answers from the Worker alone (`?reply=N`: with N zero bytes, the
 * floor of a large read; `?hash=1`: after hashing the body, what a put's SHA-256 of its values costs); `store-floor` authenticates like a VSS
 * operation, decodes a GetObjectRequest for its store_id and makes one RPC (`ping()`) to that store's Durable
 * Object. Every real operation's cost is reported as a ratio to these.
 */
export function benchRoutes(identify: Identify): Hono<BenchEnv> {
  const routes = new Hono<BenchEnv>();

  routes.use("*", async function benchFloorsEnabled(c, next) {
    if (!configOf(c.env).benchFloors) throw invalidRequest("unknown path");
    await next();
  });

  routes.post("/worker-floor", async function workerFloor(c) {
    const limit = configOf(c.env).maxRequestBytes;
    const body = await readBody(c.req.raw, limit);
    // `?hash=1`: also hash the body as a put hashes each value, for the history's cost (HISTORY.md §5).
    if (c.req.query("hash") === "1") sha256(body);
    const reply = Number(c.req.query("reply") ?? 0);
    if (!Number.isSafeInteger(reply) || reply < 0 || reply > limit) throw invalidRequest(`reply must be 0 to ${limit} bytes`);
    return protobufResponse(reply === 0 ? EMPTY_MESSAGE : new Uint8Array(reply));
  });

  routes.post("/store-floor", async function storeFloor(c) {
    const identity = await identify(c);
    const request = decodeGetRequest(await readBody(c.req.raw, configOf(c.env).maxRequestBytes));
    await storeFor(c.env, identity, request.storeId).ping();
    return protobufResponse(EMPTY_MESSAGE);
  });

  return routes;
}
