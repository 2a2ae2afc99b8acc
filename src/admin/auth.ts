import type { MiddlewareHandler } from "hono";
import { configOf } from "../config";
import type { Env } from "../env";
import { authFailed, invalidRequest, rateLimited } from "../errors";
import { clientAddress, RATE_LIMIT_RETRY_AFTER_SECONDS, withinLimit } from "../worker/rate-limit";

const encoder = new TextEncoder();

/** Compares two secrets in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

/**
 * Lets a request through only with `authorization: Bearer <VSS_ADMIN_TOKEN>`: a missing or wrong token is the
 * constant 401 before anything is looked up, so no one without the token learns whether an identity exists.
 * Every request counts against its address's rate limit, and a wrong token against its failure limit.
 * While no token is configured, /admin answers as an unknown path.
 */
export const requireAdminToken: MiddlewareHandler<{ Bindings: Env }> = async function requireAdminToken(c, next) {
  const token = configOf(c.env).adminToken;
  if (token === null) throw invalidRequest("unknown path");
  const address = clientAddress(c.req.raw);
  if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_ADDRESS", address))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
  const header = (c.req.header("authorization") ?? "").trim();
  if (!header.startsWith("Bearer ") || !sameSecret(header.slice(7), token)) {
    // A wrong admin token counts as a failed authentication of the address, like any other credential.
    if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_AUTH_FAILURES", address))) throw rateLimited(RATE_LIMIT_RETRY_AFTER_SECONDS);
    throw authFailed();
  }
  await next();
};
