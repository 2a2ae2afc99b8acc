import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { ErrorCode } from "../../src/gen/vss_pb";
import { testSigner } from "../support/jwt";
import { decodeReply, expectError, send } from "../support/vss";
import { GetObjectResponseSchema } from "../../src/gen/vss_pb";

function configError(overrides: Partial<Env>): string {
  try {
    parseConfig({ ...env, ...overrides } as Env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("no ConfigError");
}

const pem = (key: { export(o: object): string | Buffer }, type: string) => key.export({ type, format: "pem" }) as string;

describe("auth configuration", () => {
  it("requires keys or a JWKS URL when jwt is enabled", () => {
    expect(configError({ VSS_AUTH_SCHEMES: "jwt" })).toMatch(/enables jwt, but neither VSS_JWT_PUBLIC_KEYS nor VSS_JWT_JWKS_URL/);
  });

  it("names the problem with a public key without quoting it", async () => {
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const smallPem = pem(small.publicKey, "spki");
    expect(configError({ VSS_AUTH_SCHEMES: "jwt", VSS_JWT_PUBLIC_KEYS: smallPem })).toMatch(/VSS_JWT_PUBLIC_KEYS PEM block 1: RSA keys must have at least 2048 bits/);
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    expect(configError({ VSS_AUTH_SCHEMES: "jwt", VSS_JWT_PUBLIC_KEYS: pem(p384.publicKey, "spki") })).toMatch(/P-256/);
    expect(configError({ VSS_AUTH_SCHEMES: "jwt", VSS_JWT_PUBLIC_KEYS: "ssh-rsa AAAA" })).toMatch(/contains no PEM block/);
    const signer = await testSigner("ES256");
    const message = configError({ VSS_AUTH_SCHEMES: "jwt", VSS_JWT_PUBLIC_KEYS: signer.privatePem });
    expect(message).toMatch(/PEM block 1 is a "PRIVATE KEY", not a public key/);
    expect(message).not.toContain(signer.privatePem.split("\n")[1]);
    const broken = signer.publicPem.replace(/\n[A-Za-z0-9+/]{10}/, "\nAAAAAAAAAA");
    expect(configError({ VSS_AUTH_SCHEMES: "jwt", VSS_JWT_PUBLIC_KEYS: broken })).toMatch(/PEM block 1 is not a valid public key/);
  });

  it("accepts PEM keys pasted with literal \\n escapes", async () => {
    const signer = await testSigner("EdDSA");
    const config = parseConfig({ ...env, VSS_AUTH_SCHEMES: "jwt", VSS_JWT_PUBLIC_KEYS: signer.publicPem.replace(/\n/g, "\\n") } as Env);
    expect(config.jwt?.publicKeys).toHaveLength(1);
    expect(config.jwt?.publicKeys[0]?.alg).toBe("EdDSA");
  });

  it("requires an https JWKS URL", () => {
    expect(configError({ VSS_AUTH_SCHEMES: "jwt", VSS_JWT_JWKS_URL: "http://issuer.example/jwks" })).toMatch(/VSS_JWT_JWKS_URL must be an https URL/);
    expect(configError({ VSS_AUTH_SCHEMES: "jwt", VSS_JWT_JWKS_URL: "not a url" })).toMatch(/VSS_JWT_JWKS_URL is not a URL/);
    expect(parseConfig({ ...env, VSS_AUTH_SCHEMES: "jwt", VSS_JWT_JWKS_URL: "https://issuer.example/jwks" } as Env).jwt?.jwksUrl?.host).toBe("issuer.example");
  });

  it("requires the issuer's PKCS#8 private key when lnurl is enabled, without quoting it", async () => {
    expect(configError({ VSS_AUTH_SCHEMES: "lnurl" })).toMatch(/secret VSS_LNURL_JWT_PRIVATE_KEY is not set/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pkcs1 = pem(rsa.privateKey, "pkcs1");
    const message = configError({ VSS_AUTH_SCHEMES: "lnurl", VSS_LNURL_JWT_PRIVATE_KEY: pkcs1 });
    expect(message).toMatch(/must be a PKCS#8 "PRIVATE KEY" PEM block, got "RSA PRIVATE KEY"/);
    expect(message).not.toContain(pkcs1.split("\n")[1]);
    const signer = await testSigner("ES256");
    expect(configError({ VSS_AUTH_SCHEMES: "lnurl", VSS_LNURL_JWT_PRIVATE_KEY: signer.publicPem })).toMatch(/PKCS#8/);
    expect(configError({ VSS_AUTH_SCHEMES: "lnurl", VSS_LNURL_JWT_PRIVATE_KEY: signer.privatePem, LNURL_CHALLENGES: undefined })).toMatch(/binding LNURL_CHALLENGES/);
    const config = parseConfig({ ...env, VSS_AUTH_SCHEMES: "lnurl", VSS_LNURL_JWT_PRIVATE_KEY: signer.privatePem } as Env);
    expect(config.lnurl?.signingKey.alg).toBe("ES256");
    expect(createPublicKey({ key: config.lnurl!.signingKey.publicJwk as never, format: "jwk" }).equals(createPublicKey(createPrivateKey(signer.privatePem)))).toBe(true);
  });

  it("checks the LNURL lifetimes and base URL", async () => {
    const { privatePem } = await testSigner("ES256");
    const lnurl = { VSS_AUTH_SCHEMES: "lnurl", VSS_LNURL_JWT_PRIVATE_KEY: privatePem };
    expect(configError({ ...lnurl, VSS_LNURL_TOKEN_TTL_SECONDS: "60" })).toMatch(/VSS_LNURL_TOKEN_TTL_SECONDS must be an integer from 120/);
    expect(configError({ ...lnurl, VSS_LNURL_K1_TTL_SECONDS: "0" })).toMatch(/VSS_LNURL_K1_TTL_SECONDS must be an integer from 1/);
    expect(configError({ ...lnurl, VSS_LNURL_BASE_URL: "https://203.0.113.7" })).toMatch(/must name a domain, not an IP address/);
    expect(configError({ ...lnurl, VSS_LNURL_BASE_URL: "ftp://vss.example.com" })).toMatch(/VSS_LNURL_BASE_URL must be an https URL/);
  });

  it("answers a request under a broken configuration with a generic 500 that quotes no secret", async () => {
    const signer = await testSigner("ES256");
    const response = await send("/getObject", new Uint8Array(), { env: { VSS_AUTH_SCHEMES: "jwt", VSS_JWT_PUBLIC_KEYS: signer.privatePem } });
    const reply = await decodeReply(response, GetObjectResponseSchema);
    expectError(reply, 500, ErrorCode.INTERNAL_SERVER_EXCEPTION);
    expect(reply.error?.message).toBe("internal server error");
  });
});
