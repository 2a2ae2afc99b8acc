import { describe, expect, it } from "vitest";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { ErrorCode } from "../../src/gen/vss_pb";
import { sigsDigest } from "../../src/auth/sigs";
import { expectError, TestClient } from "../support/vss";
import { SigsKey } from "../support/sigs";

const now = () => Math.floor(Date.now() / 1000);

/** A client whose every request carries `authorization` as given. */
const withHeader = (authorization: string | null, key = new SigsKey()) => new TestClient("store", key, { authorization });

/** sigs: ldk-node's default scheme (CONTRACT.md §8). */
describe("sigs authentication", () => {
  it("accepts a valid header and scopes data by public key", async () => {
    const key = new SigsKey();
    expect((await new TestClient("s", key).put([["k", 0, "v"]])).status).toBe(200);
    expect((await withHeader(key.header(now() - 60), key).get("k")).status).toBe(404); // store "store", not "s"
    expect((await new TestClient("s", key).read("k")).value).toBe("v");
  });

  it("rejects a missing header and garbage", async () => {
    for (const header of [null, "garbage", "Bearer abc", "x".repeat(300), "é".repeat(200)]) {
      expectError(await withHeader(header).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
    }
  });

  it("rejects a wrong signature, another key's signature and a tampered timestamp", async () => {
    const key = new SigsKey();
    const other = new SigsKey();
    const header = key.header();
    const signature = header.slice(66, 194);
    const flipped = signature.slice(0, 10) + (signature[10] === "0" ? "1" : "0") + signature.slice(11);
    expectError(await withHeader(header.slice(0, 66) + flipped + header.slice(194)).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
    expectError(await withHeader(other.publicKeyHex + header.slice(66)).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
    // Another second than the one signed (now() - 1 could be that very second when the clock ticked meanwhile).
    expectError(await withHeader(header.slice(0, 194) + String(Number(header.slice(194)) - 1)).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
  });

  it("rejects timestamps outside ±24 hours and accepts them inside", async () => {
    const key = new SigsKey();
    expectError(await withHeader(key.header(now() - 86_400 - 120), key).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
    expectError(await withHeader(key.header(now() + 86_400 + 120), key).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
    expect((await withHeader(key.header(now() - 86_400 + 120), key).get("k")).status).toBe(404);
    expect((await withHeader(key.header(now() + 86_400 - 120), key).get("k")).status).toBe(404);
  });

  it("rejects a high-S signature that is otherwise valid", async () => {
    const key = new SigsKey();
    const timestamp = String(now());
    const publicKey = hexToBytes(key.publicKeyHex);
    const low = secp256k1.Signature.fromBytes(secp256k1.sign(sigsDigest(publicKey, timestamp), key.secretKey, { prehash: false }));
    const high = new secp256k1.Signature(low.r, secp256k1.Point.CURVE().n - low.s);
    const highHex = bytesToHex(high.toBytes("compact"));
    expect(secp256k1.verify(high.toBytes("compact"), sigsDigest(publicKey, timestamp), publicKey, { prehash: false, lowS: false })).toBe(true);
    expectError(await withHeader(key.publicKeyHex + highHex + timestamp, key).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
    expect((await withHeader(key.publicKeyHex + bytesToHex(low.toBytes("compact")) + timestamp, key).get("k")).status).toBe(404);
  });

  it("keeps two identities with the same store_id disjoint", async () => {
    const alice = new TestClient("wallet");
    const bob = new TestClient("wallet");
    await alice.put([["k", 0, "alice"]], { globalVersion: 0 });
    expect((await bob.get("k")).status).toBe(404);
    expect((await bob.read("global_version")).version).toBe(0);
    expect((await bob.listAll()).keys).toEqual([]);
    await bob.delete("k", -1);
    expect(await alice.read("k")).toEqual({ version: 1, value: "alice" });
    expect((await bob.put([["k", 0, "bob"]])).status).toBe(200);
    expect(await alice.read("k")).toEqual({ version: 1, value: "alice" });
  });

  it("keeps one identity's store_ids disjoint", async () => {
    const key = new SigsKey();
    await new TestClient("a", key).put([["k", 0, "in a"]]);
    expect((await new TestClient("b", key).get("k")).status).toBe(404);
    expect((await new TestClient("a/b", key).get("k")).status).toBe(404);
  });
});

describe("none authentication", () => {
  it("is off unless configured", async () => {
    expectError(await withHeader(null).get("k"), 401, ErrorCode.AUTH_EXCEPTION);
  });

  it("maps every request to one fixed identity when configured, separate from sigs identities", async () => {
    const options = { authorization: null, env: { VSS_AUTH_SCHEMES: "none" } };
    const first = new TestClient("s", undefined, options);
    const second = new TestClient("s", undefined, options);
    await first.put([["k", 0, "shared"]]);
    expect((await second.read("k")).value).toBe("shared");
    expect((await new TestClient("s").get("k")).status).toBe(404);
  });

  it("refuses an unknown scheme name in the configuration", async () => {
    const reply = await new TestClient("s", undefined, { env: { VSS_AUTH_SCHEMES: "sigs,nonsense" } }).get("k");
    expectError(reply, 500, ErrorCode.INTERNAL_SERVER_EXCEPTION);
  });
});

/** Issue 12 finding 5 and issue 8 item 3: one key is one identity, and the header is trimmed like any field value. */
describe("sigs identity and header form", () => {
  it("takes the public key in upper- or lower-case hex as the same identity (canonical lower case)", async () => {
    const key = new SigsKey();
    expect((await new TestClient("s", key).put([["k", 0, "v"]])).status).toBe(200);
    const header = key.header();
    const upper = header.slice(0, 66).toUpperCase() + header.slice(66);
    const shouting = new TestClient("s", key, { authorization: upper });
    expect(await shouting.read("k")).toEqual({ version: 1, value: "v" });
    expect((await shouting.put([["k", 1, "w"]])).status).toBe(200);
    expect(await new TestClient("s", key).read("k")).toEqual({ version: 2, value: "w" });
  });

  it("accepts a header with trailing spaces or tabs, as with leading ones", async () => {
    const key = new SigsKey();
    for (const padded of [`${key.header()}  `, `${key.header()}\t`, ` \t${key.header()} \t `]) {
      expect((await withHeader(padded, key).get("k")).status).toBe(404);
    }
  });
});
