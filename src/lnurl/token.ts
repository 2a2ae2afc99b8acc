import { importPKCS8, SignJWT } from "jose";
import type { SigningKey } from "../auth/keys";

/** The `iss` of every token this service issues; the `lnurl` verifier requires it. */
export const LNURL_TOKEN_ISSUER = "vss-lnurl-auth";

const imported = new WeakMap<SigningKey, Promise<CryptoKey>>();

function cryptoKeyOf(key: SigningKey): Promise<CryptoKey> {
  let pending = imported.get(key);
  if (!pending) imported.set(key, (pending = importPKCS8(key.pkcs8, key.alg)));
  return pending;
}

/**
 * A JWT for `subject` (the linking public key hex): three unpadded base64url parts, integer `iat` and `exp`,
 * as ldk-node's LNURL-auth client parses it (CLIENTS.md §3). No `aud`: VSS refuses tokens that carry one.
 */
export async function issueToken(key: SigningKey, subject: string, nowSeconds: number, ttlSeconds: number): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, typ: "JWT" })
    .setIssuer(LNURL_TOKEN_ISSUER)
    .setSubject(subject)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ttlSeconds)
    .sign(await cryptoKeyOf(key));
}
