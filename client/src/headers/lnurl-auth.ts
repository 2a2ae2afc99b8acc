import type { HDKey } from "@scure/bip32";
import { deadline } from "../client/deadline.js";
import { AuthError } from "../errors.js";
import { parseJwt, type JwtToken } from "./jwt.js";
import { signLnurl } from "./lnurl-sign.js";
import type { FetchFunction, HeaderProvider } from "./types.js";

/** A token is replaced this long before its `exp` (CLIENTS.md §3). */
export const JWT_EXPIRY_BUFFER_SECONDS = 60;
/** Each of the two LNURL requests has this deadline, like a VSS request. */
export const LNURL_TIMEOUT_MS = 10_000;

/** Options of {@link lnurlAuthJwt}. */
export interface LnurlAuthOptions {
  /** The hardened parent of the linking keys; ldk-node uses m/877'/138' (`deriveLdkNodeSecrets().lnurlAuthParent`). */
  parentKey: HDKey;
  /** The issuer's endpoint; `GET` returns the login URL with its `k1` challenge as plain text. */
  authUrl: string;
  /** Sent to the issuer and returned with every VSS request. */
  headers?: Record<string, string>;
  fetch?: FetchFunction;
  /** Clock in unix milliseconds (tests). */
  now?: () => number;
  timeoutMs?: number;
}

/** Characters of an unexpected answer quoted in an error. */
const QUOTE_LENGTH = 200;

async function getText(fetcher: FetchFunction, url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; text: string }> {
  const limit = deadline(timeoutMs);
  try {
    const response = await fetcher(url, { method: "GET", headers, signal: limit.signal });
    return { status: response.status, text: await response.text() };
  } catch (cause) {
    throw new AuthError(`LNURL-auth request failed${limit.timedOut ? ` after ${timeoutMs} ms` : ""}`, undefined, { cause });
  } finally {
    limit.done();
  }
}

/**
 * LNURL-auth → JWT: fetch a challenge, sign it with the per-domain linking key, trade it for a JWT and send
 * `Authorization: Bearer <jwt>`. The token is cached until `exp − 60 s`; concurrent callers share one fetch.
 */
export function lnurlAuthJwt(options: LnurlAuthOptions): HeaderProvider {
  const fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const headers = { ...options.headers };
  const timeoutMs = options.timeoutMs ?? LNURL_TIMEOUT_MS;
  let cached: JwtToken | undefined;
  let inFlight: Promise<JwtToken> | undefined;

  async function fetchToken(): Promise<JwtToken> {
    const challenge = await getText(fetcher, options.authUrl, headers, timeoutMs);
    if (challenge.status < 200 || challenge.status >= 300) {
      throw new AuthError(`LNURL-auth server answered ${challenge.status}: ${challenge.text.slice(0, QUOTE_LENGTH)}`, challenge.status);
    }
    const signed = signLnurl(options.parentKey, challenge.text.trim());
    // Like the reference client, the answer is read as JSON whatever its status: errors carry a `reason`.
    const { status, text } = await getText(fetcher, signed, headers, timeoutMs);
    let answer: { token?: unknown; reason?: unknown };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch (cause) {
      throw new AuthError(`LNURL-auth response (HTTP ${status}) is not JSON: ${text.slice(0, QUOTE_LENGTH)}`, status, { cause });
    }
    if (typeof answer.token === "string") return parseJwt(answer.token);
    if (typeof answer.reason === "string") throw new AuthError(`LNURL-auth failed: ${answer.reason}`, status);
    throw new AuthError("LNURL-auth response has neither token nor reason");
  }

  function fresh(token: JwtToken | undefined): token is JwtToken {
    return token !== undefined && (token.expiresAt === undefined || now() / 1000 + JWT_EXPIRY_BUFFER_SECONDS <= token.expiresAt);
  }

  return {
    getHeaders: async function lnurlAuthHeaders() {
      if (!fresh(cached)) {
        inFlight ??= fetchToken().finally(() => (inFlight = undefined));
        cached = await inFlight;
      }
      return { ...headers, Authorization: `Bearer ${cached.token}` };
    },
  };
}
