import { describe, expect, it } from "vitest";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ErrorCode, ErrorResponseSchema, GetObjectRequestSchema, PutObjectRequestSchema } from "../../src/gen/vss_pb";
import { decodeReply, expectError, send, TestClient } from "../support/vss";
import { SigsKey } from "../support/sigs";

async function errorOf(response: Response) {
  expect(response.headers.get("vss-protocol-version")).toBe("0");
  expect(response.headers.get("content-type")).toBe("application/octet-stream");
  return { status: response.status, error: fromBinary(ErrorResponseSchema, new Uint8Array(await response.arrayBuffer())) };
}

const getBody = (storeId = "s", key = "k") => toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId, key }));

/** Every row of the error table (CONTRACT.md §2), each with its status, error_code and the protocol header. */
describe("error table", () => {
  it("key not found → 404 NO_SUCH_KEY", async () => {
    expectError(await new TestClient().get("nope"), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
  });

  it("version precondition failed → 409 CONFLICT", async () => {
    expectError(await new TestClient().put([["k", 3, "v"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
  });

  it("bad field, over a limit, bad page token, missing key_value → 400 INVALID_REQUEST", async () => {
    const c = new TestClient();
    expectError(await c.put([["k".repeat(601), -1, "v"]]), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await c.get("k".repeat(601)), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await new TestClient("s".repeat(121)).get("k"), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await c.list({ pageToken: "abc" }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    const missing = await send("/deleteObject", new Uint8Array([0x0a, 0x01, 0x73]), { authorization: c.key.header() });
    expect(await errorOf(missing)).toMatchObject({ status: 400, error: { errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION } });
  });

  it("unknown path and wrong method → 400 INVALID_REQUEST, before authentication", async () => {
    for (const [path, method] of [["/nope", "POST"], ["/getObject", "GET"], ["http://vss.test/other", "POST"], ["/getObject/x", "POST"]] as const) {
      const reply = await errorOf(await send(path, method === "GET" ? null : getBody(), { method, authorization: null }));
      expect(reply).toMatchObject({ status: 400, error: { errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION } });
    }
  });

  it("a body that is not a valid message → 400 INVALID_REQUEST", async () => {
    const key = new SigsKey();
    for (const body of [new Uint8Array([0xff, 0xff, 0xff]), new Uint8Array([0x0a, 0x10, 0x61]), new Uint8Array([0x0a, 0x02, 0xc3, 0x28])]) {
      const reply = await errorOf(await send("/getObject", body, { authorization: key.header() }));
      expect(reply).toMatchObject({ status: 400, error: { errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION } });
    }
  });

  it("a body over the size limit → 413 INVALID_REQUEST, declared or streamed", async () => {
    const key = new SigsKey();
    const options = { authorization: key.header(), env: { VSS_MAX_REQUEST_BYTES: "2048" } };
    const big = new Uint8Array(4096);
    expect(await errorOf(await send("/putObjects", big, options))).toMatchObject({
      status: 413,
      error: { errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION },
    });
    // A well-formed start (one item of 4 KiB), so that only the size can refuse it.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array([0x1a, 0x80, 0x20]));
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(1024));
        controller.close();
      },
    });
    expect(await errorOf(await send("/putObjects", stream, options))).toMatchObject({ status: 413 });
  });

  it("missing or bad credentials → 401 AUTH", async () => {
    expect(await errorOf(await send("/getObject", getBody(), { authorization: null }))).toMatchObject({
      status: 401,
      error: { errorCode: ErrorCode.AUTH_EXCEPTION },
    });
  });

  it("anything unexpected → 500 INTERNAL with a generic message", async () => {
    const reply = await errorOf(await send("/getObject", getBody(), { authorization: new SigsKey().header(), env: { VSS_MAX_REQUEST_BYTES: "lots" } }));
    expect(reply).toMatchObject({ status: 500, error: { errorCode: ErrorCode.INTERNAL_SERVER_EXCEPTION, message: "internal server error" } });
  });
});

describe("HTTP surface", () => {
  it("accepts the doubled slash of a base URL configured with a trailing slash", async () => {
    const c = new TestClient();
    await c.put([["k", -1, "v"]]);
    const reply = await decodeReply(await send("//getObject", getBody(c.storeId), { authorization: c.key.header() }), ErrorResponseSchema);
    expect(reply.status).toBe(200);
  });

  it("never rejects a request for its content type", async () => {
    const c = new TestClient();
    const response = await send("/getObject", getBody(c.storeId, "global_version"), {
      authorization: c.key.header(),
      headers: { "content-type": "text/plain" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
  });

  it("answers health and metrics with the protocol header, without credentials", async () => {
    const health = await send("http://vss.test/vss/health", null, { method: "GET" });
    expect(health.status).toBe(200);
    expect(health.headers.get("vss-protocol-version")).toBe("0");
    const metrics = await send("http://vss.test/metrics", null, { method: "GET" });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("vss-protocol-version")).toBe("0");
    expect(await metrics.text()).toMatch(/^vss_service_up 1$/m);
  });

  it("answers through the runtime's own loopback too", async () => {
    const c = new TestClient();
    const response = await send("/getObject", getBody(c.storeId, "global_version"), { authorization: c.key.header(), loopback: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("vss-protocol-version")).toBe("0");
  });
});

describe("putObjects and deleteObject rules", () => {
  it("refuses more than 1000 items in one putObjects", async () => {
    const c = new TestClient();
    const items = Array.from({ length: 600 }, (_, i) => [`k${i}`, -1, "v"] as [string, number, string]);
    expectError(await c.put(items, { deletes: items.slice(0, 401) }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect((await c.put(items, { deletes: [] })).status).toBe(200);
    expect((await c.put(items.slice(0, 600), { deletes: items.slice(0, 400).map(([k]) => [k, -1]) })).status).toBe(200);
  });

  it("applies duplicate keys in order: [k@0, k@1] ends at 2, [k@0, k@0] conflicts", async () => {
    const c = new TestClient();
    expect((await c.put([["k", 0, "a"], ["k", 1, "b"]])).status).toBe(200);
    expect(await c.read("k")).toEqual({ version: 2, value: "b" });
    expectError(await c.put([["j", 0, "a"], ["j", 0, "b"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await c.get("j")).status).toBe(404);
  });

  it("an empty request succeeds and changes nothing", async () => {
    const c = new TestClient();
    expect((await c.put([])).status).toBe(200);
    expect((await c.read("global_version")).version).toBe(0);
  });

  it("a delete item that removes nothing fails the whole request, even with -1", async () => {
    const c = new TestClient();
    expectError(await c.put([["a", 0, "v"]], { deletes: [["missing", -1]] }), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await c.get("a")).status).toBe(404);
  });

  it("-1 resets an existing key to version 1 and other negatives never match", async () => {
    const c = new TestClient();
    await c.put([["k", 0, "a"]]);
    await c.put([["k", 1, "b"]]);
    await c.put([["k", -1, "c"]]);
    expect(await c.read("k")).toEqual({ version: 1, value: "c" });
    expectError(await c.put([["k", -2, "d"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await c.put([["k", 2n ** 62n, "d"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    expectError(await c.put([["k", 1, "d"]], { globalVersion: -5 }), 409, ErrorCode.CONFLICT_EXCEPTION);
  });

  it("sends version -1 as a 10-byte varint (reference vector) and stores it", async () => {
    const c = new TestClient("storeId");
    const body = Uint8Array.from(Buffer.from("0A0773746F726549641A150A026B3110FFFFFFFFFFFFFFFFFF011A046B317631", "hex"));
    expect(toBinary(PutObjectRequestSchema, fromBinary(PutObjectRequestSchema, body))).toEqual(body);
    expect((await send("/putObjects", body, { authorization: c.key.header() })).status).toBe(200);
    const get = await send("/getObject", Uint8Array.from(Buffer.from("0A0773746F7265496412026B31", "hex")), { authorization: c.key.header() });
    expect(get.status).toBe(200);
    expect(await c.read("k1")).toEqual({ version: 1, value: "k1v1" });
  });

  it("refuses the reserved key global_version in items, delete items and deleteObject", async () => {
    const c = new TestClient();
    await c.put([["k", 0, "v"]], { globalVersion: 0 });
    expectError(await c.put([["global_version", -1, "x"]]), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await c.put([], { deletes: [["global_version", -1]] }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expectError(await c.delete("global_version", -1), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect((await c.read("global_version")).version).toBe(1);
  });

  it("getObject returns the value field even for an empty value", async () => {
    const c = new TestClient();
    await c.put([["empty", 0, new Uint8Array(0)]]);
    const reply = await c.get("empty");
    expect(reply.message?.value).toBeDefined();
    expect(reply.message?.value?.version).toBe(1n);
  });

  it("treats the empty string as a valid store_id and keys as byte-exact UTF-8", async () => {
    const c = new TestClient("");
    await c.put([["é", 0, "composed"], ["e\u0301", 0, "decomposed"]]);
    expect(await c.read("é")).toEqual({ version: 1, value: "composed" });
    expect(await c.read("e\u0301")).toEqual({ version: 1, value: "decomposed" });
    expect((await new TestClient("x", c.key).get("é")).status).toBe(404);
  });

  it("accepts keys of exactly 600 characters, counted in code points", async () => {
    const c = new TestClient();
    expect((await c.put([["k".repeat(600), -1, "v"], ["😀".repeat(600), -1, "v"]])).status).toBe(200);
    expect((await c.read("😀".repeat(600))).version).toBe(1);
  });
});

describe("health", () => {
  it("answers 500 while the configuration is broken", async () => {
    const response = await send("http://vss.test/vss/health", null, { method: "GET", env: { VSS_DEFAULT_PAGE_SIZE: "0" } });
    expect(response.status).toBe(500);
    expect(response.headers.get("vss-protocol-version")).toBe("0");
  });
});
