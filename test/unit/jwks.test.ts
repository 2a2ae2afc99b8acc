import { exportJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { jwtVerifier, remoteKeys } from "../../src/auth/jwt";
import { JWT_ALGORITHMS } from "../../src/auth/keys";
import { signToken, testSigner, type TestSigner } from "../support/jwt";

const JWKS_URL = new URL("https://issuer.test/.well-known/jwks.json");

async function publicJwk(signer: TestSigner, kid: string): Promise<JWK> {
  const { privateKey } = signer;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicPart } = await exportJWK(privateKey);
  return { ...publicPart, kid, alg: signer.alg, use: "sig" };
}

/**
 * The issuer's JWKS endpoint. The Worker's outbound network cannot run in this sandbox, so this is the one stand-in:
 * a fetch that serves the current key set and counts the calls, injected through jose's customFetch.
 */
function jwksEndpoint() {
  const endpoint = {
    keys: [] as JWK[],
    fetches: 0,
    fetch: async (url: string) => {
      endpoint.fetches++;
      expect(url).toBe(JWKS_URL.href);
      return Response.json({ keys: endpoint.keys });
    },
  };
  return endpoint;
}

const now = () => Math.floor(Date.now() / 1000);

describe("JWKS URL", () => {
  it("caches the key set and fetches it again when a token names an unknown kid (rotation)", async () => {
    const [a, b] = [await testSigner("ES256"), await testSigner("EdDSA")];
    const endpoint = jwksEndpoint();
    endpoint.keys = [await publicJwk(a, "a")];
    const verifier = jwtVerifier({ scheme: "jwt", keys: remoteKeys(JWKS_URL, { fetch: endpoint.fetch, cooldownMs: 0 }), algorithms: JWT_ALGORITHMS });

    expect(await verifier.verify(await signToken(a, { sub: "u" }, { kid: "a" }), now())).toEqual({ scheme: "jwt", subject: "u" });
    expect(await verifier.verify(await signToken(a, { sub: "u" }, { kid: "a" }), now())).toEqual({ scheme: "jwt", subject: "u" });
    expect(endpoint.fetches).toBe(1);

    // The issuer adds key b: the first token naming it triggers one fetch.
    endpoint.keys = [await publicJwk(a, "a"), await publicJwk(b, "b")];
    expect(await verifier.verify(await signToken(b, { sub: "v" }, { kid: "b" }), now())).toEqual({ scheme: "jwt", subject: "v" });
    expect(endpoint.fetches).toBe(2);

    // A kid the issuer never published is refused.
    expect(await verifier.verify(await signToken(b, { sub: "v" }, { kid: "c" }), now())).toBeNull();
  });

  it("refetches on an unknown kid at most once per cooldown", async () => {
    const a = await testSigner("ES256");
    const endpoint = jwksEndpoint();
    endpoint.keys = [await publicJwk(a, "a")];
    const verifier = jwtVerifier({ scheme: "jwt", keys: remoteKeys(JWKS_URL, { fetch: endpoint.fetch }), algorithms: JWT_ALGORITHMS });
    expect(await verifier.verify(await signToken(a, {}, { kid: "a" }), now())).not.toBeNull();
    for (let i = 0; i < 5; i++) expect(await verifier.verify(await signToken(a, {}, { kid: `unknown-${i}` }), now())).toBeNull();
    expect(endpoint.fetches).toBe(1);
  });

  it("applies the same claim rules as PEM keys", async () => {
    const a = await testSigner("RS256");
    const endpoint = jwksEndpoint();
    endpoint.keys = [await publicJwk(a, "a")];
    const verifier = jwtVerifier({ scheme: "jwt", keys: remoteKeys(JWKS_URL, { fetch: endpoint.fetch }), algorithms: JWT_ALGORITHMS });
    expect(await verifier.verify(await signToken(a, { aud: "x" }, { kid: "a" }), now())).toBeNull();
    expect(await verifier.verify(await signToken(a, { exp: now() - 90 }, { kid: "a" }), now())).toBeNull();
    expect(await verifier.verify(await signToken(a, { exp: undefined }, { kid: "a" }), now())).toBeNull();
    expect(await verifier.verify(await signToken(a, {}, { kid: "a" }), now())).toEqual({ scheme: "jwt", subject: "user-1" });
  });
});

describe("JWKS endpoint failures", () => {
  it("surfaces an unreachable or broken endpoint as an error (a 500 the client retries), not as bad credentials", async () => {
    const a = await testSigner("ES256");
    const token = await signToken(a, { sub: "u" }, { kid: "a" });
    const down = jwtVerifier({
      scheme: "jwt",
      keys: remoteKeys(JWKS_URL, { fetch: async () => { throw new TypeError("network connection lost"); } }),
      algorithms: JWT_ALGORITHMS,
    });
    await expect(down.verify(token, now())).rejects.toThrow();
    const garbage = jwtVerifier({ scheme: "jwt", keys: remoteKeys(JWKS_URL, { fetch: async () => Response.json({ nope: 1 }) }), algorithms: JWT_ALGORITHMS });
    await expect(garbage.verify(token, now())).rejects.toThrow();
  });
});

describe("JWKS keys too weak to trust", () => {
  it("refuses a token naming an RSA key under 2048 bits as bad credentials (null), not a server fault", async () => {
    const weak = await testSigner("RS256", { modulusLength: 1024 }).catch(() => null);
    const { generateKeyPairSync } = await import("node:crypto");
    const pair = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const jwk = { ...(pair.publicKey.export({ format: "jwk" }) as JWK), kid: "weak", alg: "RS256", use: "sig" };
    const endpoint = jwksEndpoint();
    endpoint.keys = [jwk];
    const verifier = jwtVerifier({ scheme: "jwt", keys: remoteKeys(JWKS_URL, { fetch: endpoint.fetch }), algorithms: JWT_ALGORITHMS });
    const garbage = "eyJhbGciOiJSUzI1NiIsImtpZCI6IndlYWsifQ.eyJzdWIiOiJ1IiwiZXhwIjo5OTk5OTk5OTk5fQ.AAAA";
    await expect(verifier.verify(garbage, now())).resolves.toBeNull();
    if (weak) await expect(verifier.verify(await signToken(weak, { sub: "u" }, { kid: "weak" }), now())).resolves.toBeNull();
  });
});
