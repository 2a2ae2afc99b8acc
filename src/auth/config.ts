import { ConfigError } from "../config";
import type { Env } from "../env";
import { parsePublicKeys, parseSigningKey, type PublicJwk, type SigningKey } from "./keys";

/** JWT bearer settings (scheme `jwt`): fixed keys from PEM, a JWKS URL, or both. */
export interface JwtConfig {
  publicKeys: readonly PublicJwk[];
  jwksUrl: URL | null;
  /** The `iss` values a token must carry one of (VSS_JWT_ISSUERS); null accepts any issuer the keys vouch for. */
  issuers: readonly string[] | null;
}

/** The built-in LNURL-auth → JWT issuer (scheme `lnurl`). */
export interface LnurlConfig {
  signingKey: SigningKey;
  tokenTtlSeconds: number;
  challengeTtlSeconds: number;
  /** The origin the login URL names; null means the request's own origin. */
  baseUrl: URL | null;
}

export const AUTH_DEFAULTS = {
  lnurlTokenTtlSeconds: 24 * 60 * 60,
  lnurlChallengeTtlSeconds: 5 * 60,
} as const;

/** ldk-node refreshes a token 60 s before `exp`: a shorter lifetime would make it log in on every request. */
const MIN_TOKEN_TTL_SECONDS = 120;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function present(raw: string | undefined): raw is string {
  return raw !== undefined && raw.trim() !== "";
}

function seconds(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (!present(raw)) return fallback;
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** An https URL (http only for a local host); `what` names the variable in the message. */
function secureUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${name} is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname))) {
    throw new ConfigError(`${name} must be an https URL (http only for localhost), got ${JSON.stringify(raw)}`);
  }
  return url;
}

/** The JWT settings, or null when the scheme is off. Key material is never quoted in a message. */
export function parseJwtConfig(env: Env, enabled: boolean): JwtConfig | null {
  let publicKeys: PublicJwk[] = [];
  if (present(env.VSS_JWT_PUBLIC_KEYS)) {
    const parsed = parsePublicKeys(env.VSS_JWT_PUBLIC_KEYS);
    if (!parsed.ok) throw new ConfigError(`VSS_JWT_PUBLIC_KEYS ${parsed.error}`);
    publicKeys = parsed.value;
  }
  const jwksUrl = present(env.VSS_JWT_JWKS_URL) ? secureUrl("VSS_JWT_JWKS_URL", env.VSS_JWT_JWKS_URL) : null;
  const issuers = present(env.VSS_JWT_ISSUERS) ? env.VSS_JWT_ISSUERS.split(",").map((issuer) => issuer.trim()).filter((issuer) => issuer !== "") : null;
  if (issuers?.length === 0) throw new ConfigError("VSS_JWT_ISSUERS names no issuer; unset it to accept any issuer");
  if (!enabled) return null;
  if (publicKeys.length === 0 && jwksUrl === null) {
    throw new ConfigError("VSS_AUTH_SCHEMES enables jwt, but neither VSS_JWT_PUBLIC_KEYS nor VSS_JWT_JWKS_URL is set");
  }
  return { publicKeys, jwksUrl, issuers };
}

/** The LNURL issuer settings, or null when the scheme is off. */
export function parseLnurlConfig(env: Env, enabled: boolean): LnurlConfig | null {
  const tokenTtlSeconds = seconds("VSS_LNURL_TOKEN_TTL_SECONDS", env.VSS_LNURL_TOKEN_TTL_SECONDS, AUTH_DEFAULTS.lnurlTokenTtlSeconds, MIN_TOKEN_TTL_SECONDS, 30 * 24 * 60 * 60);
  const challengeTtlSeconds = seconds("VSS_LNURL_K1_TTL_SECONDS", env.VSS_LNURL_K1_TTL_SECONDS, AUTH_DEFAULTS.lnurlChallengeTtlSeconds, 1, 60 * 60);
  let baseUrl: URL | null = null;
  if (present(env.VSS_LNURL_BASE_URL)) {
    baseUrl = secureUrl("VSS_LNURL_BASE_URL", env.VSS_LNURL_BASE_URL);
    // ldk-node derives the linking key from Url::domain(), which is None for an IP address.
    if (/^[0-9.]+$|^\[/.test(baseUrl.hostname)) throw new ConfigError("VSS_LNURL_BASE_URL must name a domain, not an IP address (LUD-05 keys are per domain)");
  }
  if (!enabled) return null;
  if (!present(env.VSS_LNURL_JWT_PRIVATE_KEY)) {
    throw new ConfigError("VSS_AUTH_SCHEMES enables lnurl, but the secret VSS_LNURL_JWT_PRIVATE_KEY is not set (wrangler secret put VSS_LNURL_JWT_PRIVATE_KEY)");
  }
  const signingKey = parseSigningKey(env.VSS_LNURL_JWT_PRIVATE_KEY);
  if (!signingKey.ok) throw new ConfigError(`VSS_LNURL_JWT_PRIVATE_KEY ${signingKey.error}`);
  if (!env.LNURL_CHALLENGES) throw new ConfigError("VSS_AUTH_SCHEMES enables lnurl, but the Durable Object binding LNURL_CHALLENGES is missing from wrangler.toml");
  return { signingKey: signingKey.value, tokenTtlSeconds, challengeTtlSeconds, baseUrl };
}
