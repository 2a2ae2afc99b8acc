import { invalidRequest } from "../errors";
import type { Config } from "../config";
import { MAX_IDENTITY_CHARS } from "../store/limits";
import { LNURL_TOKEN_ISSUER } from "../lnurl/token";
import { bearerAuthenticator, jwtVerifier, remoteKeys, staticKeys, type JwtVerifier } from "./jwt";
import { JWT_ALGORITHMS } from "./keys";
import { noneAuthenticator } from "./none";
import { sigsAuthenticator } from "./sigs";
import { identityKey, type Authenticator } from "./types";

export { identityKey, type Identity, type Authenticator } from "./types";

/**
 * The bearer verifiers, in order: tokens of the built-in LNURL issuer (`lnurl:` identities), then the operator's
 * PEM keys, then its JWKS URL (`jwt:` identities). The namespace follows the key that verified the token.
 */
function bearerVerifiers(config: Config): JwtVerifier[] {
  const verifiers: JwtVerifier[] = [];
  if (config.lnurl) {
    const { publicJwk, alg } = config.lnurl.signingKey;
    verifiers.push(jwtVerifier({ scheme: "lnurl", keys: staticKeys([publicJwk]), algorithms: [alg], issuer: LNURL_TOKEN_ISSUER }));
  }
  if (config.jwt && config.jwt.publicKeys.length > 0) {
    const algorithms = [...new Set(config.jwt.publicKeys.map((key) => key.alg))];
    verifiers.push(jwtVerifier({ scheme: "jwt", keys: staticKeys(config.jwt.publicKeys), algorithms, issuer: config.jwt.issuers ?? undefined }));
  }
  if (config.jwt?.jwksUrl) {
    verifiers.push(jwtVerifier({ scheme: "jwt", keys: remoteKeys(config.jwt.jwksUrl), algorithms: JWT_ALGORITHMS, issuer: config.jwt.issuers ?? undefined }));
  }
  return verifiers;
}

/** The enabled schemes in the order they are tried; `none` last, as the fallback for anything else. */
export function authenticatorsFor(config: Config): Authenticator[] {
  const list: Authenticator[] = [];
  if (config.authSchemes.has("sigs")) list.push(sigsAuthenticator(config.sigsMaxSkewSeconds));
  const bearer = bearerVerifiers(config);
  if (bearer.length > 0) list.push(bearerAuthenticator(bearer));
  if (config.authSchemes.has("none")) list.push(noneAuthenticator());
  return list;
}

/** The `authorization` header with surrounding spaces and tabs trimmed, as HTTP trims field values (RFC 9110 §5.5). */
export function authorizationOf(request: Request): string | null {
  const value = request.headers.get("authorization");
  return value === null ? null : value.replace(/^[ \t]+|[ \t]+$/g, "");
}

/**
 * The namespaced identity of a request, or null when no enabled scheme accepts its `authorization` header.
 * Valid credentials naming an identity over the length limit are a client mistake (400), not an auth failure.
 * Reads headers only: the body is not touched before authentication.
 */
export async function authenticate(authenticators: Authenticator[], request: Request, nowSeconds: number): Promise<string | null> {
  const authorization = authorizationOf(request);
  const authenticator = authenticators.find((a) => a.accepts(authorization));
  if (!authenticator) return null;
  const identity = await authenticator.authenticate(authorization, nowSeconds);
  if (!identity) return null;
  if ([...identity.subject].length > MAX_IDENTITY_CHARS) throw invalidRequest(`identity longer than ${MAX_IDENTITY_CHARS} characters`);
  return identityKey(identity);
}
