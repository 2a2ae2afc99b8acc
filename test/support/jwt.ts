import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from "jose";

/** A key pair for one JWT algorithm, with its public PEM (SPKI) and private PKCS#8 PEM. */
export interface TestSigner {
  alg: "RS256" | "ES256" | "EdDSA";
  privateKey: CryptoKey;
  publicPem: string;
  privatePem: string;
}

/** A fresh extractable key pair (RSA 2048 for RS256). */
export async function testSigner(alg: TestSigner["alg"], options: { modulusLength?: number } = {}): Promise<TestSigner> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: options.modulusLength });
  return { alg, privateKey, publicPem: await exportSPKI(publicKey), privatePem: await exportPKCS8(privateKey) };
}

/** A signed token; `exp` defaults to an hour from now, `sub` to "user-1". Pass `exp: undefined` to omit it. */
export async function signToken(
  signer: TestSigner,
  claims: JWTPayload = {},
  header: { alg?: string; kid?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { sub: "user-1", exp: now + 3600, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: header.alg ?? signer.alg, ...(header.kid ? { kid: header.kid } : {}) }).sign(signer.privateKey);
}
