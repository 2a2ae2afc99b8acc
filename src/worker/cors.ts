import { configOf } from "../config";
import type { Env } from "../env";
import { parseCorsOrigins, type CorsOrigins } from "./cors-origins";
import { normalizedPath } from "./path";

/**
 * CORS for web wallets, on every route under /vss (the VSS operations, the extensions, the LNURL issuer, health)
 * — decided by path prefix, so a new route is covered the day it is added. /admin and /metrics stay out.
 * Credentials are request headers that a page sets itself, never cookies: no Access-Control-Allow-Credentials.
 */
export const CORS_PATH_PREFIX = "/vss";

/** Request headers a page may send: the credentials, the body type, and the protocol's own (MULTIDEVICE.md §4). */
export const CORS_ALLOW_HEADERS = "authorization, content-type, vss-lease";
/**
 * Response headers a page may read: the client refuses an answer without the protocol version, and a verifying
 * client checks the store's head on every answer (HISTORY.md §2).
 */
export const CORS_EXPOSE_HEADERS = "vss-protocol-version, retry-after, vss-revision, vss-digest";
export const CORS_ALLOW_METHODS = "GET, POST";
/** How long a browser may reuse a preflight answer: a day (Firefox's cap; Chromium caps it at 2 h). */
export const CORS_MAX_AGE_SECONDS = 86_400;

function covered(request: Request): boolean {
  const path = normalizedPath(request);
  return path === CORS_PATH_PREFIX || path.startsWith(`${CORS_PATH_PREFIX}/`);
}

/**
 * The allowed origins. When another variable is broken every answer is a 500, and the page should still read
 * it: VSS_CORS_ORIGINS is then parsed alone. When VSS_CORS_ORIGINS itself is broken, CORS is off (fails closed).
 */
function allowedOrigins(env: Env): CorsOrigins {
  try {
    return configOf(env).corsOrigins;
  } catch {
    try {
      return parseCorsOrigins(env.VSS_CORS_ORIGINS);
    } catch {
      return "off";
    }
  }
}

/** The CORS headers for `request`'s origin under `origins`; null when CORS does not apply at all. */
function corsHeaders(request: Request, origins: CorsOrigins): Record<string, string> | null {
  if (origins === "off") return null;
  if (origins === "*") return { "access-control-allow-origin": "*" };
  const origin = request.headers.get("origin");
  // The answer depends on the Origin header, so caches must key on it, also when it is refused or absent.
  return origin !== null && origins.has(origin) ? { "access-control-allow-origin": origin, vary: "Origin" } : { vary: "Origin" };
}

/**
 * The answer to a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) under /vss: 204, before any
 * authentication or rate limit. Null for anything else, and when CORS is off (the router then answers).
 */
export function corsPreflight(request: Request, env: Env): Response | null {
  if (request.method !== "OPTIONS" || !request.headers.has("access-control-request-method") || !covered(request)) return null;
  const headers = corsHeaders(request, allowedOrigins(env));
  if (!headers) return null;
  if (headers["access-control-allow-origin"]) {
    headers["access-control-allow-methods"] = CORS_ALLOW_METHODS;
    headers["access-control-allow-headers"] = CORS_ALLOW_HEADERS;
    headers["access-control-max-age"] = String(CORS_MAX_AGE_SECONDS);
  }
  return new Response(null, { status: 204, headers });
}

/**
 * Whether a WebSocket handshake may go on: WebSockets are outside CORS, so the watch route checks the page's
 * origin itself. No Origin (not a browser), the service's own origin, and the origins VSS_CORS_ORIGINS admits may.
 */
export function originMayConnect(request: Request, env: Env): boolean {
  const origin = request.headers.get("origin");
  if (origin === null || origin === new URL(request.url).origin) return true;
  return corsHeaders(request, allowedOrigins(env))?.["access-control-allow-origin"] !== undefined;
}

/**
 * Adds the CORS headers to any answer under /vss — successes, ErrorResponses, uncaught failures — so that a page
 * can read them. Never throws; copies a response whose headers are immutable. WebSocket upgrades are left alone.
 */
export function withCors(request: Request, env: Env, response: Response): Response {
  if (response.status === 101 || !covered(request)) return response;
  const headers = corsHeaders(request, allowedOrigins(env));
  if (!headers) return response;
  if (headers["access-control-allow-origin"]) headers["access-control-expose-headers"] = CORS_EXPOSE_HEADERS;
  let target = response;
  try {
    setAll(target.headers, headers);
  } catch {
    target = new Response(response.body, response);
    setAll(target.headers, headers);
  }
  return target;
}

function setAll(target: Headers, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (name === "vary") {
      const vary = target.get("vary");
      if (!vary?.split(",").some((v) => v.trim().toLowerCase() === "origin")) target.set("vary", vary ? `${vary}, ${value}` : value);
    } else {
      target.set(name, value);
    }
  }
}
