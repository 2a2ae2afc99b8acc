// LNURL-auth → JWT against the server's built-in issuer: real challenges, real signatures, real tokens on /vss.
import { randomBytes } from "@noble/hashes/utils.js";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exportPKCS8, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { AuthError, NO_RETRY, NoSuchKeyError, VssClient, lnurlAuthJwt, type FetchFunction } from "../../src/index.js";
import { deriveLdkNodeSecrets } from "../../src/ldk/index.js";
import { BASE, text, untext } from "./support.js";

/** The Worker's default export, loaded by a specifier the client's typecheck does not follow (no server types). */
type WorkerEntry = { fetch(request: Request, env: unknown, ctx: ExecutionContext): Promise<Response> };
const SERVER_ENTRY = "../../../src/index";
const AUTH_URL = `${BASE}/auth/lnurl`;
const TOKEN_TTL_SECONDS = 86_400;

let issuerFetch: FetchFunction;

beforeAll(async () => {
  const { default: worker } = (await import(/* @vite-ignore */ SERVER_ENTRY)) as { default: WorkerEntry };
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const lnurlEnv = { ...env, VSS_AUTH_SCHEMES: "sigs,lnurl", VSS_LNURL_JWT_PRIVATE_KEY: await exportPKCS8(privateKey) };
  issuerFetch = async (input, init) => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(new Request(input, init), lnurlEnv, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
});

/** Records each request as "METHOD path" and passes it on. */
function recording(inner: () => FetchFunction) {
  const calls: string[] = [];
  const fetcher: FetchFunction = (input, init) => {
    calls.push(`${init?.method ?? "GET"} ${new URL(input).pathname}`);
    return inner()(input, init);
  };
  return { calls, fetcher };
}

function wallet(seed: Uint8Array, options: { now?: () => number; fetcher?: FetchFunction } = {}) {
  const fetcher = options.fetcher ?? issuerFetch;
  const headerProvider = lnurlAuthJwt({ parentKey: deriveLdkNodeSecrets(seed).lnurlAuthParent, authUrl: AUTH_URL, fetch: fetcher, now: options.now });
  return { headerProvider, client: new VssClient(BASE, { fetch: fetcher, headerProvider, retryPolicy: NO_RETRY }) };
}

describe("LNURL-auth → JWT", () => {
  it("logs in once, then every VSS request carries the cached bearer token", async () => {
    const { calls, fetcher } = recording(() => issuerFetch);
    const { client } = wallet(randomBytes(64), { fetcher });
    await client.putObjects({ storeId: "s", transactionItems: [{ key: "k", version: -1n, value: text("v") }] });
    expect(untext((await client.getObject({ storeId: "s", key: "k" })).value)).toBe("v");
    expect(calls).toEqual(["GET /vss/auth/lnurl", "GET /vss/auth/lnurl/callback", "POST /vss/putObjects", "POST /vss/getObject"]);
  });

  it("the same seed is the same identity on this domain; another seed is not", async () => {
    const seed = randomBytes(64);
    await wallet(seed).client.putObjects({ storeId: "s", transactionItems: [{ key: "k", version: -1n, value: text("mine") }] });
    expect(untext((await wallet(seed).client.getObject({ storeId: "s", key: "k" })).value)).toBe("mine");
    await expect(wallet(randomBytes(64)).client.getObject({ storeId: "s", key: "k" })).rejects.toBeInstanceOf(NoSuchKeyError);
  });

  it("shares one login between concurrent requests and logs in again 60 s before exp", async () => {
    let offsetMs = 0;
    const { calls, fetcher } = recording(() => issuerFetch);
    const { headerProvider } = wallet(randomBytes(64), { fetcher, now: () => Date.now() + offsetMs });
    const all = await Promise.all(Array.from({ length: 5 }, () => headerProvider.getHeaders(new Uint8Array())));
    expect(new Set(all.map((headers) => headers.Authorization)).size).toBe(1);
    expect(all[0]?.Authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(calls).toHaveLength(2);

    offsetMs = (TOKEN_TTL_SECONDS - 61) * 1000;
    await headerProvider.getHeaders(new Uint8Array());
    expect(calls).toHaveLength(2);
    offsetMs = (TOKEN_TTL_SECONDS - 59) * 1000;
    await headerProvider.getHeaders(new Uint8Array());
    expect(calls).toHaveLength(4);
  });

  it("surfaces the issuer's reason as AuthError, and VSS calls fail with it", async () => {
    // A tampered challenge: the wallet signs a k1 the issuer never handed out.
    const tampering: FetchFunction = async (input, init) => {
      const response = await issuerFetch(input, init);
      if (!input.endsWith("/auth/lnurl")) return response;
      const url = (await response.text()).replace(/k1=[0-9a-f]{64}/, `k1=${"00".repeat(32)}`);
      return new Response(url, { status: response.status, headers: response.headers });
    };
    const { client } = wallet(randomBytes(64), { fetcher: tampering });
    const error = await client.getObject({ storeId: "s", key: "k" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toMatch(/^LNURL-auth failed: .*k1/);
  });
});
