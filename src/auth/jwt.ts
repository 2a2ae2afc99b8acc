import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  jwtVerify,
  type FetchImplementation,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { MIN_RSA_BITS, type JwtAlgorithm, type PublicJwk } from "./keys";
import type { Authenticator, Identity } from "./types";

/** Clock skew allowed on `exp` and `nbf`, as the reference server allows. */
export const JWT_CLOCK_SKEW_SECONDS = 60;
/** How long a fetched JWKS is trusted, and how soon an unknown `kid` may trigger another fetch (jose's defaults). */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60 * 1000;
export const JWKS_COOLDOWN_MS = 30 * 1000;

/** Three unpadded base64url parts: padded or standard-alphabet tokens are refused before any parsing. */
const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const BEARER = "Bearer ";

/** Checks one bearer token; resolves to the identity it names, or null. */
export interface JwtVerifier {
  verify(token: string, nowSeconds: number): Promise<Identity | null>;
}

/** Where a verifier finds its keys, which algorithms it admits, and the namespace of the identities it vouches for. */
export interface JwtVerifierOptions {
  scheme: "jwt" | "lnurl";
  keys: JWTVerifyGetKey;
  algorithms: readonly JwtAlgorithm[];
  /** Required `iss`: one value (the built-in LNURL issuer) or any of several (VSS_JWT_ISSUERS). */
  issuer?: string | readonly string[];
}

/** A key resolver over fixed keys (PEM configuration). A token's `kid` is ignored: PEM keys have none. */
export function staticKeys(keys: readonly PublicJwk[]): JWTVerifyGetKey {
  const local = createLocalJWKSet({ keys: [...keys] });
  return (header) => local({ alg: header.alg });
}

/** An RSA key shorter than the reference server accepts (a JWKS may publish one; PEM keys are checked at start). */
function tooWeak(key: unknown): boolean {
  const algorithm = (key as { algorithm?: { name?: string; modulusLength?: number } } | null)?.algorithm;
  return algorithm?.name?.startsWith("RSA") === true && (algorithm.modulusLength ?? 0) < MIN_RSA_BITS;
}

/**
 * A key resolver over a JWKS URL: cached, fetched again when a token names an unknown `kid` (after a cooldown).
 * A published RSA key under 2048 bits is treated as absent: the token is refused as bad credentials (401), not
 * as a server fault.
 */
export function remoteKeys(url: URL, options: { fetch?: FetchImplementation; cooldownMs?: number; cacheMaxAgeMs?: number } = {}): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: options.cooldownMs ?? JWKS_COOLDOWN_MS,
    cacheMaxAge: options.cacheMaxAgeMs ?? JWKS_CACHE_MAX_AGE_MS,
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  });
  return async function strongKey(header, token) {
    const key = await remote(header, token);
    if (tooWeak(key)) throw new errors.JWKSNoMatchingKey(`the JWKS key for this token is RSA under ${MIN_RSA_BITS} bits`);
    return key;
  };
}

async function verifiedPayload(token: string, options: JwtVerifierOptions, nowSeconds: number): Promise<JWTPayload> {
  const checks = {
    algorithms: [...options.algorithms],
    clockTolerance: JWT_CLOCK_SKEW_SECONDS,
    currentDate: new Date(nowSeconds * 1000),
    requiredClaims: ["exp", "sub"],
    ...(options.issuer ? { issuer: [options.issuer].flat() } : {}),
  };
  try {
    return (await jwtVerify(token, options.keys, checks)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    // Several keys of the same algorithm and no kid (rotation): try each, as jose documents.
    for await (const key of error as unknown as AsyncIterable<CryptoKey>) {
      if (tooWeak(key)) continue;
      try {
        return (await jwtVerify(token, key, checks)).payload;
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/**
 * A JWT verifier with the reference server's rules (CONTRACT.md §8): `sub` is the identity, an integer `exp` is
 * required, 60 s of skew, any `aud` is refused, asymmetric algorithms only, each key only with its own algorithm.
 */
export function jwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  return {
    verify: async function verifyJwt(token, nowSeconds) {
      if (!COMPACT_JWT.test(token)) return null;
      let payload: JWTPayload;
      try {
        payload = await verifiedPayload(token, options, nowSeconds);
      } catch (error) {
        // The JWKS endpoint down or answering garbage is the server's problem (500, retried), not bad credentials.
        if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) throw error;
        return null;
      }
      if (payload.aud !== undefined || !Number.isSafeInteger(payload.exp)) return null;
      if (typeof payload.sub !== "string" || payload.sub === "") return null;
      return { scheme: options.scheme, subject: payload.sub };
    },
  };
}

/**
 * `Authorization: Bearer <jwt>`: the first verifier that accepts the token names the identity. Verifiers are
 * tried in order, so the namespace (`lnurl:` or `jwt:`) follows the key that signed the token, never a claim.
 */
export function bearerAuthenticator(verifiers: readonly JwtVerifier[]): Authenticator {
  return {
    scheme: "bearer",
    accepts: (authorization) => authorization !== null && authorization.startsWith(BEARER),
    authenticate: async function authenticateBearer(authorization, nowSeconds) {
      if (authorization === null) return null;
      const token = authorization.slice(BEARER.length);
      for (const verifier of verifiers) {
        const identity = await verifier.verify(token, nowSeconds);
        if (identity) return identity;
      }
      return null;
    },
  };
}
