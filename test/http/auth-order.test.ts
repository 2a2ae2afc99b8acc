import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { SigsKey } from "../support/sigs";
import { decodeReply, expectError, send } from "../support/vss";
import { GetObjectResponseSchema } from "../../src/gen/vss_pb";

/** A request body that records whether anyone pulled from it. */
function watchedBody(): { body: ReadableStream<Uint8Array>; read: () => boolean } {
  let pulled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled = true;
      controller.enqueue(new Uint8Array(1024));
      controller.close();
    },
  }, { highWaterMark: 0 });
  return { body, read: () => pulled };
}

const small = (env as unknown as { TEST_RATE_LIMIT_3: RateLimit }).TEST_RATE_LIMIT_3;

describe("processing order (CONTRACT.md §2): the body is not read before authentication and rate limits", () => {
  it("answers bad credentials without touching the body", async () => {
    for (const authorization of [null, "Bearer a.b.c", new SigsKey().header(1)]) {
      const { body, read } = watchedBody();
      const reply = await decodeReply(await send("/putObjects", body, { authorization, env: { VSS_AUTH_SCHEMES: "sigs" } }), GetObjectResponseSchema);
      expectError(reply, 401, ErrorCode.AUTH_EXCEPTION);
      expect(read()).toBe(false);
    }
  });

  it("does read the body once authenticated (the watch works)", async () => {
    const { body, read } = watchedBody();
    const response = await send("/putObjects", body, { authorization: new SigsKey().header(), env: { VSS_AUTH_SCHEMES: "sigs" } });
    expect(response.status).toBe(400);
    expect(read()).toBe(true);
  });

  it("answers a rate-limited request without touching the body", async () => {
    const address = `203.0.113.${crypto.getRandomValues(new Uint8Array(1))[0]}`;
    const overrides = { VSS_RATE_LIMIT_ADDRESS: small };
    for (let i = 0; i < 3; i++) await send("/getObject", new Uint8Array(), { authorization: null, env: overrides, headers: { "cf-connecting-ip": address } });
    const { body, read } = watchedBody();
    const response = await send("/putObjects", body, { authorization: new SigsKey().header(), env: overrides, headers: { "cf-connecting-ip": address } });
    expect(response.status).toBe(429);
    expect(read()).toBe(false);
  });
});
