import { ErrorCode, GetObjectRequestSchema } from "../../src/gen/vss_pb";
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SigsKey } from "../support/sigs";
import { decodeReply, expectError, send } from "../support/vss";
import { PutObjectResponseSchema } from "../../src/gen/vss_pb";

const ON = { env: { VSS_BENCH_FLOORS: "true" } };
const body = () => toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId: "bench", key: "k" }));

describe("benchmark floor routes", () => {
  it("are unknown paths unless VSS_BENCH_FLOORS is true", async () => {
    for (const path of ["http://vss.test/bench/worker-floor", "http://vss.test/bench/store-floor"]) {
      const reply = await decodeReply(await send(path, body(), { authorization: new SigsKey().header() }), PutObjectResponseSchema);
      expectError(reply, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    }
  });

  it("worker-floor answers an empty 200 without credentials", async () => {
    const reply = await decodeReply(await send("http://vss.test/bench/worker-floor", body(), ON), PutObjectResponseSchema);
    expect(reply.status).toBe(200);
  });

  it("store-floor authenticates like an operation, then pings the store", async () => {
    const denied = await decodeReply(await send("http://vss.test/bench/store-floor", body(), { ...ON, authorization: null }), PutObjectResponseSchema);
    expectError(denied, 401, ErrorCode.AUTH_EXCEPTION);
    const forged = new SigsKey().header().replace(/^(.{70})(.)/, (_, head: string, digit: string) => head + (digit === "0" ? "1" : "0"));
    const bad = await decodeReply(await send("http://vss.test/bench/store-floor", body(), { ...ON, authorization: forged }), PutObjectResponseSchema);
    expectError(bad, 401, ErrorCode.AUTH_EXCEPTION);
    const ok = await decodeReply(await send("http://vss.test/bench/store-floor", body(), { ...ON, authorization: new SigsKey().header() }), PutObjectResponseSchema);
    expect(ok.status).toBe(200);
  });

  it("refuses a VSS_BENCH_FLOORS value that is neither true nor false", async () => {
    const response = await send("http://vss.test/bench/worker-floor", body(), { env: { VSS_BENCH_FLOORS: "yes" } });
    expect(response.status).toBe(500);
    expect(response.headers.get("vss-protocol-version")).toBe("0");
  });
});
