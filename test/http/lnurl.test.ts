import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { HDKey } from "@scure/bip32";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { parseCallback, verifyCallback } from "../../src/lnurl/callback";
import { testSigner, type TestSigner } from "../support/jwt";
import { linkingKey, linkingPath, lnurlParentKey, signLoginUrl } from "../support/lnurl";
import { send, TestClient } from "../support/vss";

const LOGIN_URL = /^http:\/\/vss\.test\/vss\/auth\/lnurl\/callback\?tag=login&k1=([0-9a-f]{64})$/;

let issuer: TestSigner;
let lnurlEnv: Partial<Env>;

beforeAll(async () => {
  issuer = await testSigner("ES256");
  lnurlEnv = { VSS_AUTH_SCHEMES: "sigs,lnurl", VSS_LNURL_JWT_PRIVATE_KEY: issuer.privatePem };
});

async function get(url: string, env: Partial<Env> = lnurlEnv): Promise<Response> {
  return send(url, null, { method: "GET", env });
}

async function loginUrl(env: Partial<Env> = lnurlEnv): Promise<string> {
  const response = await get("/auth/lnurl", env);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  return response.text();
}

async function callback(url: string, env: Partial<Env> = lnurlEnv): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await get(url, env);
  expect(response.headers.get("vss-protocol-version")).toBe("0");
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function freshWallet(): HDKey {
  return lnurlParentKey(crypto.getRandomValues(new Uint8Array(32)));
}

describe("LNURL-auth vectors (CLIENTS.md §6)", () => {
  it("derives the LUD-05 path", () => {
    const hashingKey = hexToBytes("7d417a6a5e9a6a4a879aeaba11a11838764c8fa2b959c242d43dea682b3e409b");
    expect(linkingPath(hashingKey, "site.com")).toEqual([1588488367, 2659270754, 38110259, 4136336762]);
  });

  it("signs the reference login URL byte for byte, and the server accepts that signature", () => {
    const master = HDKey.fromMasterSeed(new Uint8Array(32).fill(0xab));
    const url = "https://example.com/path?tag=login&k1=e2af6254a8df433264fa23f67eb8188635d15ce883e8fc020989d5f82ae6f11e";
    const signed = signLoginUrl(master, url);
    expect(signed).toBe(
      url +
        "&sig=3045022100a75df468de452e618edb8030016eb0894204655c7d93ece1be007fcf36843522022048bc2f00a0a5a30601d274b49cfaf9ef4c76176e5401d0dfb195f5d6ab8ab4c4" +
        "&key=02d9eb1b467517d685e3b5439082c14bb1a2c9ae672df4d9046d208c193a5846e0",
    );
    const parsed = parseCallback(new URL(signed).searchParams);
    expect(parsed.ok && verifyCallback(parsed.value)).toBe(true);
  });
});

describe("LNURL-auth issuer", () => {
  it("is an unknown path unless the lnurl scheme is enabled", async () => {
    const response = await get("/auth/lnurl", {});
    expect(response.status).toBe(400);
    expect(response.headers.get("vss-protocol-version")).toBe("0");
  });

  it("hands out a plain-text login URL on its own host with a fresh 64-hex k1 each time", async () => {
    const first = await loginUrl();
    const second = await loginUrl();
    expect(first).toMatch(LOGIN_URL);
    expect(second).toMatch(LOGIN_URL);
    expect(LOGIN_URL.exec(first)?.[1]).not.toBe(LOGIN_URL.exec(second)?.[1]);
  });

  it("names VSS_LNURL_BASE_URL's origin when it is set", async () => {
    const url = await loginUrl({ ...lnurlEnv, VSS_LNURL_BASE_URL: "https://vss.example.com/ignored/path" });
    expect(url).toMatch(/^https:\/\/vss\.example\.com\/vss\/auth\/lnurl\/callback\?tag=login&k1=[0-9a-f]{64}$/);
  });

  for (const alg of ["ES256", "EdDSA", "RS256"] as const) {
    it(`round trip with a ${alg} issuer key: derive, sign, get a token, use it on /vss`, async () => {
      const signer = alg === "ES256" ? issuer : await testSigner(alg);
      const env = { ...lnurlEnv, VSS_LNURL_JWT_PRIVATE_KEY: signer.privatePem };
      const wallet = freshWallet();
      const { status, json } = await callback(signLoginUrl(wallet, await loginUrl(env)), env);
      expect(status).toBe(200);
      expect(json.status).toBe("OK");
      const token = String(json.token);
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const claims = decodeJwt(token);
      expect(Number.isSafeInteger(claims.exp)).toBe(true);
      expect(claims.aud).toBeUndefined();
      expect(claims.sub).toBe(bytesToHex(linkingKey(wallet, "vss.test").publicKey!));

      const client = new TestClient("wallet", undefined, { authorization: `Bearer ${token}`, env });
      expect((await client.put([["k", -1, "v"]])).status).toBe(200);
      expect(await client.read("k")).toEqual({ version: 1, value: "v" });

      // A second login by the same wallet is the same identity; another wallet sees nothing.
      const again = await callback(signLoginUrl(wallet, await loginUrl(env)), env);
      expect(await new TestClient("wallet", undefined, { authorization: `Bearer ${again.json.token}`, env }).read("k")).toEqual({ version: 1, value: "v" });
      const other = await callback(signLoginUrl(freshWallet(), await loginUrl(env)), env);
      expect((await new TestClient("wallet", undefined, { authorization: `Bearer ${other.json.token}`, env }).get("k")).status).toBe(404);
    });
  }

  it("refuses its tokens when the lnurl scheme is off", async () => {
    const { json } = await callback(signLoginUrl(freshWallet(), await loginUrl()));
    const env = { VSS_AUTH_SCHEMES: "sigs", VSS_LNURL_JWT_PRIVATE_KEY: issuer.privatePem };
    expect((await new TestClient("s", undefined, { authorization: `Bearer ${json.token}`, env }).get("k")).status).toBe(401);
  });

  it("answers HEAD without issuing a challenge or using one up", async () => {
    expect((await send("/auth/lnurl", null, { method: "HEAD", env: lnurlEnv })).status).toBe(405);
    const signed = signLoginUrl(freshWallet(), await loginUrl());
    const head = await send(signed, null, { method: "HEAD", env: lnurlEnv });
    expect(head.status).toBe(405);
    expect(head.headers.get("allow")).toBe("GET");
    expect(await callback(signed)).toMatchObject({ status: 200, json: { status: "OK" } });
  });

  it("accepts a k1 once: a replay is refused as used", async () => {
    const signed = signLoginUrl(freshWallet(), await loginUrl());
    expect((await callback(signed)).json.status).toBe("OK");
    expect(await callback(signed)).toEqual({ status: 400, json: { status: "ERROR", reason: "used k1" } });
  });

  it("refuses an expired k1", async () => {
    const env = { ...lnurlEnv, VSS_LNURL_K1_TTL_SECONDS: "1" };
    const signed = signLoginUrl(freshWallet(), await loginUrl(env));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await callback(signed, env)).toEqual({ status: 400, json: { status: "ERROR", reason: "expired k1" } });
  });

  it("refuses a k1 it never issued", async () => {
    const k1 = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    const signed = signLoginUrl(freshWallet(), `http://vss.test/vss/auth/lnurl/callback?tag=login&k1=${k1}`);
    expect(await callback(signed)).toEqual({ status: 400, json: { status: "ERROR", reason: "unknown k1" } });
  });

  it("refuses a signature by another key, and the k1 stays usable by its rightful signer", async () => {
    const url = await loginUrl();
    const signed = signLoginUrl(freshWallet(), url);
    const otherKey = bytesToHex(linkingKey(freshWallet(), "vss.test").publicKey!);
    const forged = signed.replace(/key=[0-9a-f]{66}$/, `key=${otherKey}`);
    expect(await callback(forged)).toEqual({ status: 400, json: { status: "ERROR", reason: "invalid signature" } });
    expect((await callback(signed)).json.status).toBe("OK");
  });

  it("refuses a high-S signature, including the longest (72-byte) DER encodings", async () => {
    const lengths = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const signed = new URL(signLoginUrl(freshWallet(), await loginUrl()));
      const low = secp256k1.Signature.fromBytes(hexToBytes(signed.searchParams.get("sig")!), "der");
      const high = new secp256k1.Signature(low.r, secp256k1.Point.CURVE().n - low.s).toBytes("der");
      lengths.add(high.length);
      signed.searchParams.set("sig", bytesToHex(high));
      expect(await callback(signed.toString())).toEqual({ status: 400, json: { status: "ERROR", reason: "invalid signature" } });
    }
    expect(Math.max(...lengths)).toBeGreaterThanOrEqual(71);
  });

  it("refuses malformed callback parameters with a reason", async () => {
    const signed = signLoginUrl(freshWallet(), await loginUrl());
    const { origin, pathname, searchParams } = new URL(signed);
    const k1 = searchParams.get("k1")!;
    const sig = searchParams.get("sig")!;
    const key = searchParams.get("key")!;
    const cases: [string, string][] = [
      [`tag=login&k1=${k1}&key=${key}`, "bad sig"],
      [`tag=login&k1=${k1}&sig=${sig}`, "bad key"],
      [`tag=login&sig=${sig}&key=${key}`, "bad k1"],
      [`tag=login&k1=${k1.slice(2)}&sig=${sig}&key=${key}`, "bad k1"],
      [`tag=login&k1=${k1.slice(0, 63)}z&sig=${sig}&key=${key}`, "bad k1"],
      [`tag=login&k1=${k1}&k1=${k1}&sig=${sig}&key=${key}`, "bad k1"],
      [`tag=login&k1=${k1}&sig=zz${sig}&key=${key}`, "bad sig"],
      [`tag=login&k1=${k1}&sig=${sig.slice(1)}&key=${key}`, "bad sig"],
      [`tag=login&k1=${k1}&sig=${sig}&key=04${key.slice(2)}`, "bad key"],
      [`tag=login&k1=${k1}&sig=${sig}&key=${key}00`, "bad key"],
      [`tag=withdrawRequest&k1=${k1}&sig=${sig}&key=${key}`, "bad tag"],
      [`tag=login&k1=${k1}&sig=${sig.slice(0, -2)}00&key=${key}`, "invalid signature"],
    ];
    for (const [query, reason] of cases) {
      expect(await callback(`${origin}${pathname}?${query}`), query).toEqual({ status: 400, json: { status: "ERROR", reason } });
    }
    // None of them used up the challenge.
    expect((await callback(signed)).json.status).toBe("OK");
  });
});
