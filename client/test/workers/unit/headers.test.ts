import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { base64urlnopad } from "@scure/base";
import { describe, expect, it } from "vitest";
import { customHeaders, fixedHeaders, hostAsWritten, InvalidJwtError, parseJwt, sigsAuth } from "../../../src/index.js";

const jwt = (payload: object) =>
  [{ alg: "RS256" }, payload, "sig"].map((part) => base64urlnopad.encode(utf8ToBytes(typeof part === "string" ? part : JSON.stringify(part)))).join(".");

describe("fixed and custom headers", () => {
  it("returns the same map every time, and a copy", async () => {
    const provider = fixedHeaders({ "x-api-key": "k" });
    const first = await provider.getHeaders(new Uint8Array());
    first["x-api-key"] = "changed";
    expect(await provider.getHeaders(new Uint8Array())).toEqual({ "x-api-key": "k" });
  });

  it("lets a custom provider see the request body", async () => {
    const provider = customHeaders((body) => ({ "x-body-sha256": bytesToHex(sha256(body)) }));
    expect(await provider.getHeaders(utf8ToBytes("abc"))).toEqual({ "x-body-sha256": bytesToHex(sha256(utf8ToBytes("abc"))) });
  });
});

describe("sigs", () => {
  it("signs pubkey ‖ compact low-S signature ‖ unix seconds over SHA-256(salt ‖ pubkey ‖ timestamp)", async () => {
    const secretKey = secp256k1.utils.randomSecretKey();
    const provider = sigsAuth(secretKey, { headers: { "x-extra": "1" }, now: () => 1_700_000_000_999 });
    const headers = await provider.getHeaders(new Uint8Array());
    expect(headers["x-extra"]).toBe("1");
    const value = headers.Authorization ?? "";
    const publicKeyHex = value.slice(0, 66);
    const signature = hexToBytes(value.slice(66, 194));
    expect(value.slice(194)).toBe("1700000000");
    expect(publicKeyHex).toBe(bytesToHex(secp256k1.getPublicKey(secretKey, true)));
    const salt = utf8ToBytes("VSS Signature Authorizer Signing Salt Constant..................");
    expect(salt.length).toBe(64);
    const digest = sha256(concatBytes(salt, hexToBytes(publicKeyHex), utf8ToBytes("1700000000")));
    expect(secp256k1.verify(signature, digest, hexToBytes(publicKeyHex), { prehash: false, lowS: true })).toBe(true);
  });

  it("refuses a key that is not a secp256k1 secret", () => {
    expect(() => sigsAuth(new Uint8Array(32))).toThrow(TypeError);
    expect(() => sigsAuth(new Uint8Array(31).fill(1))).toThrow(TypeError);
  });
});

describe("JWT expiry", () => {
  it("reads an integer exp and accepts a token without one", () => {
    expect(parseJwt(jwt({ sub: "a", exp: 1234 }))).toEqual({ token: jwt({ sub: "a", exp: 1234 }), expiresAt: 1234 });
    expect(parseJwt(jwt({ sub: "a" })).expiresAt).toBeUndefined();
  });

  it("refuses malformed tokens", () => {
    expect(() => parseJwt("a.b")).toThrow(InvalidJwtError);
    expect(() => parseJwt(jwt({ exp: "soon" }))).toThrow(InvalidJwtError);
    expect(() => parseJwt(jwt({ exp: 1.5 }))).toThrow(InvalidJwtError);
    expect(() => parseJwt(jwt({ exp: 1 }) + "=")).toThrow(InvalidJwtError);
  });
});

describe("LUD-05 domain", () => {
  it("is the host as written, without user info or port", () => {
    expect(hostAsWritten("https://example.com/path?x=1")).toBe("example.com");
    expect(hostAsWritten("https://user@Auth.Example.com:8443/lnurl")).toBe("Auth.Example.com");
    expect(hostAsWritten("http://[::1]:80/x")).toBe("[::1]");
    expect(hostAsWritten("https://site.com?k1=00")).toBe("site.com");
  });
});
