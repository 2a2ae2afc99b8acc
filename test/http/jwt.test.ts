import { createPublicKey } from "node:crypto";
import { importPKCS8, SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { ErrorCode } from "../../src/gen/vss_pb";
import { signToken, testSigner, type TestSigner } from "../support/jwt";
import { SigsKey } from "../support/sigs";
import { expectError, send, TestClient } from "../support/vss";

let rsa: TestSigner;
let jwtEnv: Partial<Env>;

beforeAll(async () => {
  rsa = await testSigner("RS256");
  jwtEnv = { VSS_AUTH_SCHEMES: "sigs,jwt", VSS_JWT_PUBLIC_KEYS: rsa.publicPem };
});

function clientWith(token: string, env: Partial<Env> = jwtEnv, storeId = "store"): TestClient {
  return new TestClient(storeId, undefined, { authorization: `Bearer ${token}`, env });
}

/** The status of a getObject of a missing key: 404 when authenticated, 401 when not. */
async function statusOf(token: string, env: Partial<Env> = jwtEnv): Promise<number> {
  return (await clientWith(token, env).get("missing")).status;
}

const now = () => Math.floor(Date.now() / 1000);

describe("JWT bearer: the reference accept/reject matrix (RS256)", () => {
  it("accepts exp now, exp far in the future, and exp within the 60 s skew", async () => {
    expect(await statusOf(await signToken(rsa, { exp: now() }))).toBe(404);
    expect(await statusOf(await signToken(rsa, { exp: now() + 10 * 365 * 24 * 3600 }))).toBe(404);
    expect(await statusOf(await signToken(rsa, { exp: now() - 30 }))).toBe(404);
  });

  it("refuses exp 90 s in the past, exp 0, a missing exp and a non-integer exp", async () => {
    expect(await statusOf(await signToken(rsa, { exp: now() - 90 }))).toBe(401);
    expect(await statusOf(await signToken(rsa, { exp: 0 }))).toBe(401);
    expect(await statusOf(await signToken(rsa, { exp: undefined }))).toBe(401);
    expect(await statusOf(await signToken(rsa, { exp: now() + 100.5 }))).toBe(401);
  });

  it("refuses any aud, and a missing or empty sub", async () => {
    expect(await statusOf(await signToken(rsa, { aud: "vss" }))).toBe(401);
    expect(await statusOf(await signToken(rsa, { aud: [] }))).toBe(401);
    expect(await statusOf(await signToken(rsa, { sub: undefined }))).toBe(401);
    expect(await statusOf(await signToken(rsa, { sub: "" }))).toBe(401);
  });

  it("refuses a token by another signer", async () => {
    expect(await statusOf(await signToken(await testSigner("RS256")))).toBe(401);
  });

  it("refuses padded or standard-alphabet base64", async () => {
    const token = await signToken(rsa);
    const padded = token.split(".").map((part) => part + "=".repeat((4 - (part.length % 4)) % 4)).join(".");
    expect(padded).not.toBe(token);
    expect(await statusOf(padded)).toBe(401);
    expect(await statusOf(token.replace(/-/g, "+").replace(/_/g, "/"))).toBe(token.includes("-") || token.includes("_") ? 401 : 404);
  });

  it("refuses a wrong alg: RS384 by the same key, HS256 keyed with the public PEM, and none", async () => {
    const rs384 = { ...rsa, privateKey: await importPKCS8(rsa.privatePem, "RS384") };
    expect(await statusOf(await signToken(rs384, {}, { alg: "RS384" }))).toBe(401);
    expect(await statusOf(await signToken(rsa, {}, { alg: "RS256" }))).toBe(404);
    const hs = await new SignJWT({ sub: "user-1", exp: now() + 3600 }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(rsa.publicPem));
    expect(await statusOf(hs)).toBe(401);
    expect(await statusOf(new UnsecuredJWT({ sub: "user-1", exp: now() + 3600 }).encode())).toBe(401);
  });

  it("accepts a PKCS#1 RSA PUBLIC KEY as well as SPKI", async () => {
    const pkcs1 = createPublicKey(rsa.publicPem).export({ type: "pkcs1", format: "pem" }) as string;
    expect(pkcs1).toContain("BEGIN RSA PUBLIC KEY");
    expect(await statusOf(await signToken(rsa), { ...jwtEnv, VSS_JWT_PUBLIC_KEYS: pkcs1 })).toBe(404);
  });
});

describe("JWT bearer beyond the reference", () => {
  it("accepts ES256 and EdDSA keys, each only with its own algorithm", async () => {
    for (const alg of ["ES256", "EdDSA"] as const) {
      const signer = await testSigner(alg);
      const env = { ...jwtEnv, VSS_JWT_PUBLIC_KEYS: signer.publicPem };
      expect(await statusOf(await signToken(signer), env)).toBe(404);
      expect(await statusOf(await signToken(rsa), env)).toBe(401);
    }
  });

  it("accepts several keys at once (rotation), with or without a kid in the token", async () => {
    const [second, third] = [await testSigner("RS256"), await testSigner("ES256")];
    const env = { ...jwtEnv, VSS_JWT_PUBLIC_KEYS: [rsa.publicPem, second.publicPem, third.publicPem].join("\n") };
    expect(await statusOf(await signToken(rsa), env)).toBe(404);
    expect(await statusOf(await signToken(second), env)).toBe(404);
    expect(await statusOf(await signToken(second, {}, { kid: "2026-rotation" }), env)).toBe(404);
    expect(await statusOf(await signToken(third), env)).toBe(404);
    expect(await statusOf(await signToken(await testSigner("RS256")), env)).toBe(401);
  });

  it("scopes data by jwt:<sub>, so a sub equal to a sigs public key never sees that key's data", async () => {
    const sigs = new TestClient("shared", new SigsKey(), { env: jwtEnv });
    expect((await sigs.put([["k", -1, "sigs"]])).status).toBe(200);
    const impostor = clientWith(await signToken(rsa, { sub: sigs.key.publicKeyHex }), jwtEnv, "shared");
    expect((await impostor.get("k")).status).toBe(404);
    const owner = clientWith(await signToken(rsa, { sub: "alice" }), jwtEnv, "shared");
    expect((await owner.put([["k", -1, "alice"]])).status).toBe(200);
    expect(await clientWith(await signToken(rsa, { sub: "alice" }), jwtEnv, "shared").read("k")).toEqual({ version: 1, value: "alice" });
    expect(await sigs.read("k")).toEqual({ version: 1, value: "sigs" });
  });

  it("answers a valid token whose sub is longer than 120 characters with 400, not 401", async () => {
    expect(await statusOf(await signToken(rsa, { sub: "x".repeat(120) }))).toBe(404);
    expect(await statusOf(await signToken(rsa, { sub: "x".repeat(121) }))).toBe(400); // valid credentials, bad field
  });
});

describe("schemes side by side", () => {
  it("serves sigs and jwt clients together, and refuses Bearer tokens when jwt is off", async () => {
    const token = await signToken(rsa);
    expect(await statusOf(token)).toBe(404);
    expect((await new TestClient("s", undefined, { env: jwtEnv }).get("missing")).status).toBe(404);
    expect(await statusOf(token, { VSS_AUTH_SCHEMES: "sigs", VSS_JWT_PUBLIC_KEYS: rsa.publicPem })).toBe(401);
  });

  it("never lets a bad token fall through to none", async () => {
    const env = { VSS_AUTH_SCHEMES: "jwt,none", VSS_JWT_PUBLIC_KEYS: rsa.publicPem };
    expect(await statusOf("not.a.token", env)).toBe(401);
    expect((await new TestClient("s", undefined, { authorization: null, env }).get("missing")).status).toBe(404);
  });

  it("answers every authentication failure with the same message, which quotes nothing from the request", async () => {
    const token = await signToken(rsa, { exp: 0 });
    const bodies = new Set<string>();
    for (const authorization of [`Bearer ${token}`, "Bearer x", new SigsKey().header(1), null]) {
      const response = await send("/getObject", new Uint8Array(), { authorization, env: jwtEnv });
      const reply = { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
      expect(reply.status).toBe(401);
      bodies.add(Buffer.from(reply.bytes).toString("hex"));
      expect(new TextDecoder().decode(reply.bytes)).not.toContain(token.slice(0, 20));
    }
    expect(bodies.size).toBe(1);
    expectError(await clientWith(token).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
  });
});

describe("JWT issuers (VSS_JWT_ISSUERS)", () => {
  it("admits only tokens whose iss is listed, when a list is configured", async () => {
    const bound = { ...jwtEnv, VSS_JWT_ISSUERS: "https://auth.example, https://other.example" };
    expect(await statusOf(await signToken(rsa, { iss: "https://auth.example" }), bound)).toBe(404);
    expect(await statusOf(await signToken(rsa, { iss: "https://other.example" }), bound)).toBe(404);
    expect(await statusOf(await signToken(rsa, { iss: "https://evil.example" }), bound)).toBe(401);
    expect(await statusOf(await signToken(rsa, {}), bound)).toBe(401);
    // Unset: any issuer the keys vouch for, as before.
    expect(await statusOf(await signToken(rsa, { iss: "https://evil.example" }))).toBe(404);
  });
});
