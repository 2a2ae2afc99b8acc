import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { ErrorCode } from "../../src/gen/vss_pb";
import { clientAddress } from "../../src/worker/rate-limit";
import { testSigner } from "../support/jwt";
import { lnurlParentKey, signLoginUrl } from "../support/lnurl";
import { SigsKey } from "../support/sigs";
import { expectError, send, TestClient } from "../support/vss";

/** vitest.config.ts binds TEST_RATE_LIMIT_3: three requests per key per 60 s window, local emulation. */
const LIMIT = 3;
const small = (env as unknown as { TEST_RATE_LIMIT_3: RateLimit }).TEST_RATE_LIMIT_3;

/** The emulated limiter counts in fixed 60 s windows: keep a test's requests inside one. */
async function awayFromWindowEdge(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoWindow + 100));
}

function randomAddress(): string {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint8Array(2));
  return `198.51.${a}.${b}`;
}

function client(overrides: Partial<Env>, address = randomAddress(), key = new SigsKey()): TestClient {
  return new TestClient("store", key, { env: overrides, headers: { "cf-connecting-ip": address } });
}

async function expectLimited(reply: Awaited<ReturnType<TestClient["get"]>>, response?: Response): Promise<void> {
  expectError(reply, 429, ErrorCode.INTERNAL_SERVER_EXCEPTION);
  if (response) expect(response.headers.get("retry-after")).toBe("60");
}

/** A raw getObject, to look at the headers of a limited answer. */
async function rawGet(overrides: Partial<Env>, address: string, key: SigsKey): Promise<Response> {
  return send("/getObject", new Uint8Array(), { env: overrides, authorization: key.header(), headers: { "cf-connecting-ip": address } });
}

describe("rate limits", () => {
  it("binds wrangler.toml's limiters in local emulation (lifted for the test run by vitest.config.ts)", async () => {
    for (const name of ["VSS_RATE_LIMIT_ADDRESS", "VSS_RATE_LIMIT_IDENTITY", "VSS_RATE_LIMIT_AUTH_FAILURES", "VSS_RATE_LIMIT_LNURL_CHALLENGES"] as const) {
      expect(typeof (env as unknown as Env)[name]?.limit).toBe("function");
    }
    // wrangler.toml allows 60 failures a minute per address; the lifted test limit does not bite other suites.
    const stale = new SigsKey();
    for (let i = 0; i < 70; i++) {
      expectError(await new TestClient("s", stale, { authorization: stale.header(1) }).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
    }
  });

  it("limits each identity: the N+1st request in a window gets 429 with Retry-After; other identities are unaffected", async () => {
    await awayFromWindowEdge();
    const overrides = { VSS_RATE_LIMIT_IDENTITY: small };
    const key = new SigsKey();
    const address = randomAddress();
    for (let i = 0; i < LIMIT; i++) expect((await client(overrides, address, key).get("k")).status).toBe(404);
    const limited = await rawGet(overrides, address, key);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.headers.get("vss-protocol-version")).toBe("0");
    await expectLimited(await client(overrides, address, key).get("k"));
    // Another identity, even from the same address, still gets through.
    expect((await client(overrides, address).get("k")).status).toBe(404);
  });

  it("limits each client address, whatever identity it presents, before checking credentials", async () => {
    await awayFromWindowEdge();
    const overrides = { VSS_RATE_LIMIT_ADDRESS: small };
    const address = randomAddress();
    for (let i = 0; i < LIMIT; i++) expect((await client(overrides, address).get("k")).status).toBe(404);
    const limited = await rawGet(overrides, address, new SigsKey());
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    // Even a request without credentials is refused as limited, not as unauthenticated.
    await expectLimited(await new TestClient("s", undefined, { env: overrides, authorization: null, headers: { "cf-connecting-ip": address } }).get("k"));
    expect((await client(overrides).get("k")).status).toBe(404);
  });

  it("counts IPv6 clients by their /64", async () => {
    expect(clientAddress(new Request("http://x", { headers: { "cf-connecting-ip": "2001:DB8:0:12::1" } }))).toBe("2001:db8:0:12::/64");
    expect(clientAddress(new Request("http://x", { headers: { "cf-connecting-ip": "2001:db8::12:ffff:1:2:3" } }))).toBe("2001:db8:0:12::/64");
    expect(clientAddress(new Request("http://x", { headers: { "cf-connecting-ip": "::1" } }))).toBe("0:0:0:0::/64");
    await awayFromWindowEdge();
    const overrides = { VSS_RATE_LIMIT_ADDRESS: small };
    const [c, d] = crypto.getRandomValues(new Uint16Array(2));
    const prefix = `2001:db8:${c!.toString(16)}:${d!.toString(16)}`;
    for (let i = 0; i < LIMIT; i++) expect((await client(overrides, `${prefix}::${i + 1}`).get("k")).status).toBe(404);
    await expectLimited(await client(overrides, `${prefix}:abcd:1:2:3`).get("k"));
  });

  it("counts authentication failures per address; the address's valid requests still pass", async () => {
    await awayFromWindowEdge();
    const overrides = { VSS_RATE_LIMIT_AUTH_FAILURES: small };
    const address = randomAddress();
    const stale = new SigsKey();
    for (let i = 0; i < LIMIT; i++) {
      const reply = await new TestClient("s", stale, { env: overrides, authorization: stale.header(1), headers: { "cf-connecting-ip": address } }).get("k");
      expectError(reply, 401, ErrorCode.AUTH_EXCEPTION);
    }
    await expectLimited(await new TestClient("s", stale, { env: overrides, authorization: stale.header(1), headers: { "cf-connecting-ip": address } }).get("k"));
    expect((await client(overrides, address).get("k")).status).toBe(404);
    // Another address is unaffected.
    expectError(await new TestClient("s", stale, { env: overrides, authorization: stale.header(1), headers: { "cf-connecting-ip": randomAddress() } }).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
  });

  it("limits the LNURL routes per address and refused callbacks as authentication failures", async () => {
    await awayFromWindowEdge();
    const { privatePem } = await testSigner("ES256");
    const lnurl = { VSS_AUTH_SCHEMES: "sigs,lnurl", VSS_LNURL_JWT_PRIVATE_KEY: privatePem };
    const get = (url: string, overrides: Partial<Env>, address: string) =>
      send(url, null, { method: "GET", env: { ...lnurl, ...overrides }, headers: { "cf-connecting-ip": address } });

    const address = randomAddress();
    for (let i = 0; i < LIMIT; i++) expect((await get("/auth/lnurl", { VSS_RATE_LIMIT_ADDRESS: small }, address)).status).toBe(200);
    const limited = await get("/auth/lnurl", { VSS_RATE_LIMIT_ADDRESS: small }, address);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await limited.json()).toEqual({ status: "ERROR", reason: "rate limit exceeded" });

    const prober = randomAddress();
    const failures = { VSS_RATE_LIMIT_AUTH_FAILURES: small };
    const url = await (await get("/auth/lnurl", failures, prober)).text();
    const bad = `${url}&sig=3006020101020101&key=02${"11".repeat(32)}`;
    for (let i = 0; i < LIMIT; i++) expect((await get(bad, failures, prober)).status).toBe(400);
    expect((await get(bad, failures, prober)).status).toBe(429);
    // A correct callback from that address still succeeds: only failures are counted.
    const good = await get(signLoginUrl(lnurlParentKey(new Uint8Array(32).fill(7)), url), failures, prober);
    expect(((await good.json()) as { status: string }).status).toBe("OK");
  });

  it("bounds the LNURL challenges one address can have stored (VSS_RATE_LIMIT_LNURL_CHALLENGES)", async () => {
    await awayFromWindowEdge();
    const { privatePem } = await testSigner("ES256");
    const env = { VSS_AUTH_SCHEMES: "sigs,lnurl", VSS_LNURL_JWT_PRIVATE_KEY: privatePem, VSS_RATE_LIMIT_LNURL_CHALLENGES: small };
    const address = randomAddress();
    const get = (who: string) => send("/auth/lnurl", null, { method: "GET", env, headers: { "cf-connecting-ip": who } });
    for (let i = 0; i < LIMIT; i++) expect((await get(address)).status).toBe(200);
    const limited = await get(address);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ status: "ERROR", reason: "rate limit exceeded" });
    expect((await get(randomAddress())).status).toBe(200);
  });

  it("counts wrong admin tokens as failed authentications of the address", async () => {
    await awayFromWindowEdge();
    const token = "t".repeat(40);
    const address = randomAddress();
    const env = { VSS_ADMIN_TOKEN: token, VSS_RATE_LIMIT_AUTH_FAILURES: small };
    const admin = (bearer: string, who = address) =>
      send("http://vss.test/admin/identities/sigs%3Aabc", null, { method: "DELETE", authorization: `Bearer ${bearer}`, env, headers: { "cf-connecting-ip": who } });
    for (let i = 0; i < LIMIT; i++) expect((await admin("wrong".repeat(8))).status).toBe(401);
    expect((await admin("wrong".repeat(8))).status).toBe(429);
    expect((await admin(token, randomAddress())).status).toBe(200);
  });
});
