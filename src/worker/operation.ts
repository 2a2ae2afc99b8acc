import type { Context, Hono } from "hono";
import { authenticate, authenticatorsFor, type Authenticator } from "../auth";
import { StreamingGuard, type MessageBounds } from "../codec/bounds";
import { configOf, type Config } from "../config";
import type { Env } from "../env";
import { authFailed, rateLimited } from "../errors";
import { SMALL_REQUEST_MAX_BYTES } from "../store/limits";
import type { WriteContext } from "../store/types";
import { readBody } from "./body";
import { MemoryLease } from "./memory-budget";
import { countRequest } from "./metrics";
import { clientAddress, RATE_LIMIT_RETRY_AFTER_SECONDS, withinLimit } from "./rate-limit";
import { errorResponse } from "./respond";

/** The Hono environment of the VSS routes: bindings, and the configuration and identity of the request. */
export type AppEnv = { Bindings: Env; Variables: { config: Config; identity: string } };

/** The header that carries a writer's lease token (MULTIDEVICE.md §4). */
export const LEASE_HEADER = "vss-lease";

const authenticators = new WeakMap<Config, Authenticator[]>();

/** The authenticators of a configuration, built once. */
function authenticatorsOf(config: Config): Authenticator[] {
  let list = authenticators.get(config);
  if (!list) authenticators.set(config, (list = authenticatorsFor(config)));
  return list;
}

/**
 * Counts the request against its client address (before any signature check); over the limit → 429. Returns the
 * address, for counting a failed authentication afterwards.
 */
export async function admitAddress(c: Context<AppEnv>): Promise<string> {
  const address = clientAddress(c.req.raw);
  if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_ADDRESS", address))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
  return address;
}

/** Counts a failed authentication of `address` and throws the AUTH error (or 429 past the failure limit). */
export async function refuseCredentials(c: Context<AppEnv>, address: string): Promise<never> {
  if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_AUTH_FAILURES", address))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
  throw authFailed();
}

/** Counts an authenticated request against its identity (429 past the limit) and records who made it. */
export async function admitIdentity(c: Context<AppEnv>, identity: string): Promise<string> {
  if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_IDENTITY", identity))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
  return recordIdentity(c, identity);
}

/** Records who made a request whose identity was charged already (a watch ticket, charged when it was issued). */
export function recordIdentity(c: Context<AppEnv>, identity: string): string {
  c.set("config", configOf(c.env));
  c.set("identity", identity);
  return identity;
}

/**
 * The request's namespaced identity from its headers alone; throws the AUTH error when no scheme vouches for it.
 * Rate limits (worker/rate-limit.ts): every request counts per client address before any signature check, a
 * failed authentication counts once more per address, a success per identity. Over any of them → 429.
 */
export async function identify(c: Context<AppEnv>): Promise<string> {
  const address = await admitAddress(c);
  const identity = await authenticate(authenticatorsOf(configOf(c.env)), c.req.raw, Math.floor(Date.now() / 1000));
  if (identity === null) return refuseCredentials(c, address);
  return admitIdentity(c, identity);
}

/** A VSS operation's handler: the request's context and the bytes it may hold from the isolate's budget. */
export type Handler = (c: Context<AppEnv>, lease: MemoryLease) => Promise<Response>;

/**
 * Registers `POST /vss/<name>`: authenticates from the headers alone, then runs the handler; counts the answer for
 * /metrics. The bytes the request holds (its body, a large value it reads) come from the isolate's memory budget
 * until it is answered.
 */
export function operation(app: Hono<AppEnv>, name: string, handler: Handler): void {
  app.post(`/vss/${name}`, async function authenticated(c) {
    await identify(c);
    const lease = new MemoryLease();
    // A client that goes away mid-request must not keep its bytes: the runtime may never resume the handler.
    c.req.raw.signal.addEventListener("abort", () => lease.release(), { once: true });
    const response = await handler(c, lease).catch((error: unknown) => errorResponse(error));
    countRequest(name, response.status);
    return lease.releaseWhenSent(response);
  });
}

/** Who writes to which store, under which quotas, with which lease token (`vss-lease`, null when absent). */
export function writeContext(c: Context<AppEnv>, storeId: string): WriteContext {
  const { storeLimits, identityLimits, identityStores, changeRetentionMs, history } = c.var.config;
  const lease = c.req.header(LEASE_HEADER)?.trim() ?? null;
  return { identity: c.var.identity, storeId, storeLimits, identityLimits, identityStores, lease, changeRetentionMs, history };
}

/** The request body under the configured size limit, watched while it streams in against `bounds`. */
export async function body(c: Context<AppEnv>, bounds: MessageBounds, lease: MemoryLease): Promise<Uint8Array> {
  const limit = c.var.config.maxRequestBytes;
  return readBody(c.req.raw, limit, new StreamingGuard(bounds, limit), lease);
}

/** The body of a request that carries no value: at most `maxBytes` (a few KiB), whatever the configured limit. */
export async function smallBody(c: Context<AppEnv>, lease: MemoryLease, maxBytes = SMALL_REQUEST_MAX_BYTES): Promise<Uint8Array> {
  return readBody(c.req.raw, Math.min(c.var.config.maxRequestBytes, maxBytes), undefined, lease);
}
