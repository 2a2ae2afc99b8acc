import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { ErrorCode, ErrorResponseSchema, GetObjectRequestSchema, PutObjectRequestSchema } from "../../src/gen/vss_pb";
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, withCors } from "../../src/worker/cors";
import { testSigner } from "../support/jwt";
import { SigsKey } from "../support/sigs";
import { BASE, send } from "../support/vss";

const WALLET = "https://wallet.example";
const small = (env as unknown as { TEST_RATE_LIMIT_3: RateLimit }).TEST_RATE_LIMIT_3;

/** Every route under /vss answers preflights: today's, the LNURL issuer's, and routes added later. */
const VSS_PATHS = [
  "/getObject",
  "/putObjects",
  "/deleteObject",
  "/listKeyVersions",
  "/deleteAccount",
  "/health",
  "/auth/lnurl",
  "/auth/lnurl/callback?tag=login&k1=00",
  "/getObjects",
  "/acquireLease",
  "/watchTicket",
  "/watch?store_id=s",
  "/extensions",
  "/some/future/route",
];

function preflight(path: string, options: { origin?: string; env?: Partial<Env>; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = {
    origin: options.origin ?? WALLET,
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization,content-type,vss-lease",
    ...options.headers,
  };
  return send(path, null, { method: "OPTIONS", authorization: null, env: options.env, headers });
}

const getBody = (key = "k") => toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId: "s", key }));

/** Asserts that a page on WALLET may read `response`: allowed origin, exposed protocol headers. */
function expectReadable(response: Response, origin: string): void {
  expect(response.headers.get("access-control-allow-origin")).toBe(origin);
  expect(response.headers.get("access-control-expose-headers")).toBe(CORS_EXPOSE_HEADERS);
  expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  expect(response.headers.get("vss-protocol-version")).toBe("0");
}

async function errorCode(response: Response): Promise<ErrorCode> {
  return fromBinary(ErrorResponseSchema, new Uint8Array(await response.arrayBuffer())).errorCode;
}

describe("CORS preflight", () => {
  it("answers 204 on every path under /vss, including doubled slashes, with the allowed methods and headers", async () => {
    for (const path of [...VSS_PATHS, `${BASE}//getObject`, "http://vss.test/vss"]) {
      const response = await preflight(path);
      expect(response.status, path).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-allow-methods")).toBe("GET, POST");
      expect(response.headers.get("access-control-allow-headers")).toBe(CORS_ALLOW_HEADERS);
      expect(CORS_ALLOW_HEADERS.split(", ")).toEqual(["authorization", "content-type", "vss-lease"]);
      expect(response.headers.get("access-control-max-age")).toBe(String(CORS_MAX_AGE_SECONDS));
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      expect(response.headers.get("vss-protocol-version")).toBe("0");
      expect(await response.text()).toBe("");
    }
  });

  it("is answered before authentication and rate limits: preflights neither need credentials nor use up a limit", async () => {
    const address = "198.51.100.77";
    const limits = { VSS_RATE_LIMIT_ADDRESS: small, VSS_RATE_LIMIT_AUTH_FAILURES: small, VSS_RATE_LIMIT_IDENTITY: small };
    for (let i = 0; i < 10; i++) {
      expect((await preflight("/getObject", { env: limits, headers: { "cf-connecting-ip": address } })).status).toBe(204);
    }
    // The address still has its whole allowance of 3, and the next request is limited, with CORS headers.
    const key = new SigsKey();
    for (let i = 0; i < 3; i++) {
      const response = await send("/getObject", getBody(), { env: limits, authorization: key.header(), headers: { "cf-connecting-ip": address, origin: WALLET } });
      expect(response.status).toBe(404);
      expectReadable(response, "*");
    }
    const limited = await send("/getObject", getBody(), { env: limits, authorization: key.header(), headers: { "cf-connecting-ip": address, origin: WALLET } });
    expect(limited.status).toBe(429);
    expectReadable(limited, "*");
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await errorCode(limited)).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
  });

  it("leaves OPTIONS that is not a preflight, and paths outside /vss, to the router", async () => {
    const plain = await send("/getObject", null, { method: "OPTIONS", authorization: null, headers: { origin: WALLET } });
    expect(plain.status).toBe(400);
    expect(await errorCode(plain)).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectReadable(plain, "*");
    for (const path of ["http://vss.test/metrics", "http://vss.test/admin/identities/x", "http://vss.test/vssx/getObject"]) {
      const response = await preflight(path);
      expect(response.status, path).not.toBe(204);
      expect(response.headers.get("access-control-allow-origin"), path).toBeNull();
    }
  });
});

describe("CORS headers on answers", () => {
  it("are on successes and on every kind of failure: 401, 404, 409, 413, 500", async () => {
    const key = new SigsKey();
    const headers = { origin: WALLET };
    const put = toBinary(PutObjectRequestSchema, create(PutObjectRequestSchema, { storeId: "s", transactionItems: [{ key: "k", version: 0n, value: new Uint8Array([1]) }] }));
    const cases: [Response, number][] = [
      [await send("/putObjects", put, { authorization: key.header(), headers }), 200],
      [await send("/putObjects", put, { authorization: key.header(), headers }), 409],
      [await send("/getObject", getBody("missing"), { authorization: key.header(), headers }), 404],
      [await send("/getObject", getBody(), { authorization: "nonsense", headers }), 401],
      [await send("/getObject", new Uint8Array(4096), { authorization: key.header(), headers, env: { VSS_MAX_REQUEST_BYTES: "2048" } }), 413],
      [await send("/getObject", getBody(), { authorization: key.header(), headers, env: { VSS_MAX_REQUEST_BYTES: "lots" } }), 500],
      [await send("/getObject", getBody(), { authorization: key.header(), headers, env: { VSS_STORE: undefined } as unknown as Partial<Env> }), 500],
      [await send("/nope", getBody(), { authorization: null, headers }), 400],
    ];
    for (const [response, status] of cases) {
      expect(response.status).toBe(status);
      expectReadable(response, "*");
      expect(response.headers.get("vary")).toBeNull();
    }
  });

  it("are on GET routes too: health, the LNURL issuer", async () => {
    const issuer = await testSigner("ES256");
    const lnurl = { VSS_AUTH_SCHEMES: "sigs,lnurl", VSS_LNURL_JWT_PRIVATE_KEY: issuer.privatePem };
    for (const path of ["/health", "/auth/lnurl", "/auth/lnurl/callback?tag=login&k1=00"]) {
      const response = await send(path, null, { method: "GET", authorization: null, env: lnurl, headers: { origin: WALLET } });
      expect(response.status, path).toBeLessThan(500);
      expectReadable(response, "*");
    }
  });

  it("are not added outside /vss", async () => {
    const metrics = await send("http://vss.test/metrics", null, { method: "GET", headers: { origin: WALLET } });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("are added to a response whose headers are immutable", () => {
    const request = new Request(`${BASE}/getObject`, { headers: { origin: WALLET } });
    const response = withCors(request, env as Env, Response.redirect("https://elsewhere.example/", 302));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://elsewhere.example/");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("VSS_CORS_ORIGINS", () => {
  const listed = { VSS_CORS_ORIGINS: `${WALLET}, chrome-extension://abcdefghijklmnopabcdefghijklmnop` };

  it("with a list: echoes an allowed origin with Vary: Origin; refuses others (no allow-origin) but still varies", async () => {
    for (const origin of [WALLET, "chrome-extension://abcdefghijklmnopabcdefghijklmnop"]) {
      const allowed = await preflight("/putObjects", { origin, env: listed });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get("access-control-allow-origin")).toBe(origin);
      expect(allowed.headers.get("access-control-allow-headers")).toBe(CORS_ALLOW_HEADERS);
      expect(allowed.headers.get("vary")).toBe("Origin");
      const answer = await send("/getObject", getBody(), { authorization: new SigsKey().header(), env: listed, headers: { origin } });
      expect(answer.status).toBe(404);
      expectReadable(answer, origin);
      expect(answer.headers.get("vary")).toBe("Origin");
    }
    for (const origin of ["https://evil.example", "https://wallet.example.evil.example", "http://wallet.example", "null"]) {
      const refused = await preflight("/putObjects", { origin, env: listed });
      expect(refused.status).toBe(204);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
      expect(refused.headers.get("access-control-allow-headers")).toBeNull();
      expect(refused.headers.get("vary")).toBe("Origin");
      const answer = await send("/getObject", getBody(), { authorization: new SigsKey().header(), env: listed, headers: { origin } });
      expect(answer.status).toBe(404);
      expect(answer.headers.get("access-control-allow-origin")).toBeNull();
      expect(answer.headers.get("access-control-expose-headers")).toBeNull();
      expect(answer.headers.get("vary")).toBe("Origin");
    }
    const noOrigin = await send("/getObject", getBody(), { authorization: new SigsKey().header(), env: listed });
    expect(noOrigin.headers.get("access-control-allow-origin")).toBeNull();
    expect(noOrigin.headers.get("vary")).toBe("Origin");
  });

  it("a page on a listed origin can read a 500 caused by another broken variable", async () => {
    const response = await send("/getObject", getBody(), { authorization: new SigsKey().header(), env: { ...listed, VSS_DEFAULT_PAGE_SIZE: "0" }, headers: { origin: WALLET } });
    expect(response.status).toBe(500);
    expectReadable(response, WALLET);
  });

  it("off: no CORS headers anywhere, and OPTIONS goes to the router (400 ErrorResponse) as without CORS", async () => {
    const off = { VSS_CORS_ORIGINS: "off" };
    const response = await preflight("/getObject", { env: off });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
    const answer = await send("/getObject", getBody(), { authorization: new SigsKey().header(), env: off, headers: { origin: WALLET } });
    expect(answer.status).toBe(404);
    for (const r of [response, answer]) {
      expect([...r.headers.keys()].filter((name) => name.startsWith("access-control-") || name === "vary")).toEqual([]);
    }
  });

  it("a broken value answers 500 everywhere, without CORS headers (fails closed)", async () => {
    const broken = { VSS_CORS_ORIGINS: "https://Wallet.example/" };
    const answer = await send("/getObject", getBody(), { authorization: new SigsKey().header(), env: broken, headers: { origin: WALLET } });
    expect(answer.status).toBe(500);
    expect(await errorCode(answer)).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    const refused = await preflight("/getObject", { env: broken });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });
});
