// Key material of an interop run. The fixed values make byte-compatibility failures reproducible; the JWT and
// LNURL issuer keys are generated per run and configured on the service through --var.
import { SignJWT, exportPKCS8, exportSPKI, generateKeyPair } from "jose";

/** Fixed secrets shared by the Rust and TypeScript sides (test keys, never used anywhere else). */
export const FIXED = {
  /** The sigs identity of the vss-client scenarios and the byte-compatibility stores. */
  sigsKey: "11".repeat(32),
  /** The BIP32 seed whose master is the LNURL-auth parent key of the vss-client scenarios. */
  lnurlSeed: "22".repeat(32),
  /** StorableBuilder's data encryption key and KeyObfuscator's master key for byte compatibility. */
  dataKey: "33".repeat(32),
  obfuscationKey: "44".repeat(32),
  /** ldk-node node seeds (64 bytes), one wallet per authentication scheme. */
  ldkSeeds: { lnurl: "55".repeat(64), sigs: "66".repeat(64) },
};

/** Literal "\n" escapes: the service accepts them, and an argument stays on one line. */
const oneLine = (pem) => pem.trim().replace(/\n/g, "\\n");

/** A JWT verification key for VSS_JWT_PUBLIC_KEYS with a token it accepts, and an LNURL issuer key. */
export async function generateAuth() {
  const jwt = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256" })
    .setSubject("interop-jwt-user")
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(jwt.privateKey);
  const issuer = await generateKeyPair("ES256", { extractable: true });
  return {
    token,
    vars: {
      VSS_AUTH_SCHEMES: "sigs,jwt,lnurl",
      VSS_JWT_PUBLIC_KEYS: oneLine(await exportSPKI(jwt.publicKey)),
      VSS_LNURL_JWT_PRIVATE_KEY: oneLine(await exportPKCS8(issuer.privateKey)),
    },
  };
}
