import { Hono, type Context } from "hono";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { LnurlConfig } from "../auth/config";
import { configOf } from "../config";
import type { Env } from "../env";
import { invalidRequest } from "../errors";
import { clientAddress, RATE_LIMIT_RETRY_AFTER_SECONDS, withinLimit } from "../worker/rate-limit";
import { parseCallback, verifyCallback } from "./callback";
import { challengeStoreFor, type LnurlChallengeStore } from "./challenge-store";
import { issueToken } from "./token";

/** Where the routes live under the Worker: `GET {base}` starts a login, `GET {base}/callback` finishes it. */
export const LNURL_BASE_PATH = "/vss/auth/lnurl";
const CALLBACK_PATH = `${LNURL_BASE_PATH}/callback`;
const K1_BYTES = 32;
const ISSUE_ATTEMPTS = 3;

type LnurlEnv = { Bindings: Env; Variables: { lnurl: LnurlConfig; challenges: DurableObjectNamespace<LnurlChallengeStore> } };

/** A LUD-04 error answer: JSON `{"status":"ERROR","reason":…}`, which ldk-node reads whatever the status. */
function lnurlError(c: Context<LnurlEnv>, status: 400 | 429 | 500, reason: string): Response {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (status === 429) headers["retry-after"] = String(RATE_LIMIT_RETRY_AFTER_SECONDS);
  return c.json({ status: "ERROR", reason }, status, headers);
}

/**
 * The built-in LNURL-auth → JWT issuer, served only when the `lnurl` scheme is enabled (otherwise these are
 * unknown paths). Every request counts against the caller's address; every refused callback counts as an
 * authentication failure of that address.
 */
export function lnurlRoutes(): Hono<LnurlEnv> {
  const routes = new Hono<LnurlEnv>();

  routes.use("*", async function lnurlEnabled(c, next) {
    const lnurl = configOf(c.env).lnurl;
    // parseLnurlConfig refuses an enabled lnurl scheme without the LNURL_CHALLENGES binding.
    if (!lnurl || !c.env.LNURL_CHALLENGES) throw invalidRequest("unknown path");
    c.set("lnurl", lnurl);
    c.set("challenges", c.env.LNURL_CHALLENGES);
    if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_ADDRESS", clientAddress(c.req.raw)))) return lnurlError(c, 429, "rate limit exceeded");
    // HEAD (link previews, monitors) must neither issue a challenge nor use one up.
    if (c.req.method === "HEAD") return c.body(null, 405, { allow: "GET" });
    await next();
  });

  routes.get("/", async function startLogin(c) {
    const lnurl = c.var.lnurl;
    // Each challenge is a stored row: a separate, small budget per address bounds what one address can store.
    if (!(await withinLimit(c.env, "VSS_RATE_LIMIT_LNURL_CHALLENGES", clientAddress(c.req.raw)))) return lnurlError(c, 429, "rate limit exceeded");
    const expiresAt = Date.now() + lnurl.challengeTtlSeconds * 1000;
    for (let attempt = 0; attempt < ISSUE_ATTEMPTS; attempt++) {
      const k1 = bytesToHex(crypto.getRandomValues(new Uint8Array(K1_BYTES)));
      if (!(await challengeStoreFor(c.var.challenges, k1).issue(k1, expiresAt))) continue;
      const origin = lnurl.baseUrl?.origin ?? new URL(c.req.url).origin;
      // Plain text, no bech32 and no trailing newline: ldk-node parses the body as the URL itself.
      return c.text(`${origin}${CALLBACK_PATH}?tag=login&k1=${k1}`, 200, { "cache-control": "no-store" });
    }
    return lnurlError(c, 500, "could not issue a challenge");
  });

  routes.get("/callback", async function finishLogin(c) {
    const lnurl = c.var.lnurl;
    const address = clientAddress(c.req.raw);
    const refuse = async (reason: string) =>
      (await withinLimit(c.env, "VSS_RATE_LIMIT_AUTH_FAILURES", address)) ? lnurlError(c, 400, reason) : lnurlError(c, 429, "rate limit exceeded");
    const parsed = parseCallback(new URL(c.req.url).searchParams);
    if (!parsed.ok) return refuse(parsed.error);
    if (!verifyCallback(parsed.value)) return refuse("invalid signature");
    const consumed = await challengeStoreFor(c.var.challenges, parsed.value.k1).consume(parsed.value.k1);
    if (!consumed.ok) return refuse(`${consumed.error} k1`);
    const token = await issueToken(lnurl.signingKey, parsed.value.key, Math.floor(Date.now() / 1000), lnurl.tokenTtlSeconds);
    return c.json({ status: "OK", token }, 200, { "cache-control": "no-store" });
  });

  return routes;
}
