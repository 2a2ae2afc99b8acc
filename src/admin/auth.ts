import type { MiddlewareHandler } from "hono";
import { configOf } from "../config";
import type { Env } from "../env";
import { authFailed, invalidRequest } from "../errors";

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
 * While no token is configured, /admin answers as an unknown path.
 */
export const requireAdminToken: MiddlewareHandler<{ Bindings: Env }> = async function requireAdminToken(c, next) {
  const token = configOf(c.env).adminToken;
  if (token === null) throw invalidRequest("unknown path");
  const header = c.req.header("authorization") ?? "";
  if (!header.startsWith("Bearer ") || !sameSecret(header.slice(7), token)) throw authFailed();
  await next();
};
