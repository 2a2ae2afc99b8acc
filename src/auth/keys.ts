import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import type { JWK } from "jose";

/** The signature algorithms this service verifies and issues: asymmetric only, one per key type. */
export const JWT_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** The smallest RSA modulus accepted, as the reference server requires. */
export const MIN_RSA_BITS = 2048;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PUBLIC_LABELS = new Set(["PUBLIC KEY", "RSA PUBLIC KEY"]);
const PRIVATE_LABEL = "PRIVATE KEY";
const JWK_FIELDS = ["kty", "crv", "x", "y", "n", "e"] as const;

/** A parsed key or why it was refused; the reason never quotes key material. */
export type KeyResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** A verification key as a public JWK carrying its algorithm. */
export type PublicJwk = JWK & { alg: JwtAlgorithm };

/** The issuer's signing key: its PKCS#8 PEM, its algorithm and the matching public JWK. */
export interface SigningKey {
  pkcs8: string;
  alg: JwtAlgorithm;
  publicJwk: PublicJwk;
}

/** Secrets pasted into a variable often carry literal "\n" escapes instead of line breaks. */
function unescape(text: string): string {
  return text.replace(/\\n/g, "\n");
}

function algorithmOf(key: KeyObject): KeyResult<JwtAlgorithm> {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) return { ok: false, error: `RSA keys must have at least ${MIN_RSA_BITS} bits` };
      return { ok: true, value: "RS256" };
    case "ec":
      if (details.namedCurve !== "prime256v1" && details.namedCurve !== "P-256") return { ok: false, error: "EC keys must be on P-256 (ES256)" };
      return { ok: true, value: "ES256" };
    case "ed25519":
      return { ok: true, value: "EdDSA" };
    default:
      return { ok: false, error: `unsupported key type ${JSON.stringify(key.asymmetricKeyType)}; use RSA ≥ 2048 bits, EC P-256 or Ed25519` };
  }
}

/** The public half of `key` as a clean JWK (workerd's export lists absent members as undefined). */
function publicJwkOf(key: KeyObject, alg: JwtAlgorithm): PublicJwk {
  const exported = (key.type === "public" ? key : createPublicKey(key)).export({ format: "jwk" }) as Record<string, unknown>;
  const jwk: Record<string, unknown> = { alg, use: "sig" };
  for (const field of JWK_FIELDS) if (typeof exported[field] === "string") jwk[field] = exported[field];
  return jwk as PublicJwk;
}

/**
 * Every public key in `text`: one or more PEM blocks, SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`). PKCS#1 is
 * converted by the platform's node:crypto, which parses both; jose then imports the resulting JWKs.
 */
export function parsePublicKeys(text: string): KeyResult<PublicJwk[]> {
  const blocks = [...unescape(text).matchAll(PEM_BLOCK)];
  if (blocks.length === 0) return { ok: false, error: "contains no PEM block (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)" };
  const keys: PublicJwk[] = [];
  for (const [index, block] of blocks.entries()) {
    const label = block[1] ?? "";
    if (!PUBLIC_LABELS.has(label)) return { ok: false, error: `PEM block ${index + 1} is a ${JSON.stringify(label)}, not a public key` };
    let key: KeyObject;
    try {
      key = createPublicKey(block[0]);
    } catch {
      return { ok: false, error: `PEM block ${index + 1} is not a valid public key` };
    }
    const alg = algorithmOf(key);
    if (!alg.ok) return { ok: false, error: `PEM block ${index + 1}: ${alg.error}` };
    keys.push(publicJwkOf(key, alg.value));
  }
  return { ok: true, value: keys };
}

/** The issuer's private key: exactly one PKCS#8 PEM block (`PRIVATE KEY`, e.g. from `openssl genpkey`). */
export function parseSigningKey(text: string): KeyResult<SigningKey> {
  const blocks = [...unescape(text).matchAll(PEM_BLOCK)];
  const [block] = blocks;
  if (blocks.length !== 1 || !block) return { ok: false, error: "must hold exactly one PEM block" };
  if (block[1] !== PRIVATE_LABEL) return { ok: false, error: `must be a PKCS#8 "PRIVATE KEY" PEM block, got ${JSON.stringify(block[1])}` };
  let key: KeyObject;
  try {
    key = createPrivateKey(block[0]);
  } catch {
    return { ok: false, error: "is not a valid PKCS#8 private key" };
  }
  const alg = algorithmOf(key);
  if (!alg.ok) return { ok: false, error: alg.error };
  return { ok: true, value: { pkcs8: block[0], alg: alg.value, publicJwk: publicJwkOf(key, alg.value) } };
}
