import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { decodePutRequest } from "../../src/codec/requests";
import { VssError } from "../../src/errors";
import { ErrorCode, GetObjectRequestSchema } from "../../src/gen/vss_pb";
import { decodeReply, expectError, send, TestClient } from "../support/vss";
import { PutObjectResponseSchema } from "../../src/gen/vss_pb";
import { SigsKey } from "../support/sigs";

/** An endless body that repeats `unit`, counting how many bytes the server pulled from it. */
function endless(unit: Uint8Array, chunkBytes = 64 * 1024) {
  const chunk = new Uint8Array(chunkBytes);
  for (let i = 0; i < chunkBytes; i += unit.byteLength) chunk.set(unit.subarray(0, Math.min(unit.byteLength, chunkBytes - i)), i);
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      counter.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

async function errorOf(response: Response) {
  return decodeReply(response, PutObjectResponseSchema);
}

/** Finding 1 of issue 12: the work of a request is bounded by its limits, before the work is done. */
describe("bounded work per request", () => {
  it("refuses a flood of empty transaction items (1a 00 …) without decoding it: 1 MiB in the codec, an endless stream over HTTP", async () => {
    const flood = new Uint8Array(1024 * 1024);
    for (let i = 0; i < flood.length; i += 2) flood.set([0x1a, 0x00], i);
    expect(() => decodePutRequest(flood)).toThrow(VssError);
    expect(() => decodePutRequest(flood)).toThrow(/more than 1000 items/);

    const { stream, counter } = endless(new Uint8Array([0x1a, 0x00]));
    const reply = await errorOf(await send("/putObjects", stream, { authorization: new SigsKey().header() }));
    expectError(reply, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(reply.error?.message).toMatch(/more than 1000 items/);
    // Refused after the 1001st item's header: the endless body was read no further than a few chunks.
    expect(counter.pulled).toBeLessThan(512 * 1024);
  });

  it("refuses a singular field repeated without end, an over-long store_id or key, and too many fields in one item", async () => {
    const key = new SigsKey();
    const { stream } = endless(new BinaryWriter().tag(1, WireType.LengthDelimited).string("s").finish());
    expectError(await errorOf(await send("/putObjects", stream, { authorization: key.header() })), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);

    const longStoreId = new BinaryWriter().tag(1, WireType.LengthDelimited).uint32(10_000_000).finish();
    const reply = await errorOf(await send("/putObjects", endless(longStoreId).stream, { authorization: key.header() }));
    expectError(reply, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(reply.error?.message).toMatch(/store_id is longer than 120 characters/);

    const item = new BinaryWriter();
    for (let i = 0; i < 9; i++) item.tag(2, WireType.Varint).int64(1);
    const body = new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(item.finish()).finish();
    expect(() => decodePutRequest(body)).toThrow(/repeats its fields/);
    const longKey = new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(new BinaryWriter().tag(1, WireType.LengthDelimited).string("k".repeat(2401)).finish()).finish();
    expect(() => decodePutRequest(longKey)).toThrow(/key is longer than 600 characters/);
  });

  it("counts streamed bytes whatever Content-Length declares (chunked framing with a false small length)", async () => {
    const key = new SigsKey();
    const limit = 64 * 1024;
    // A well-formed start: one transaction item of 8 MiB, then zeros for ever.
    const header = new BinaryWriter().tag(3, WireType.LengthDelimited).uint32(8 * 1024 * 1024).finish();
    const { stream, counter } = endless(new Uint8Array(1));
    const reader = stream.getReader();
    let started = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(header);
          return;
        }
        const next = await reader.read();
        if (next.value) controller.enqueue(next.value);
      },
    });
    const response = await send("/putObjects", body, {
      authorization: key.header(),
      headers: { "content-length": "100" },
      env: { VSS_MAX_REQUEST_BYTES: String(limit) },
    });
    expectError(await errorOf(response), 413, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(counter.pulled).toBeLessThanOrEqual(4 * limit);
  });

  it("answers a body the client stops sending midway with 400, not 500", async () => {
    const key = new SigsKey();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new BinaryWriter().tag(3, WireType.LengthDelimited).uint32(4096).finish());
        controller.enqueue(new Uint8Array(100));
        controller.error(new Error("client went away"));
      },
    });
    const reply = await errorOf(await send("/putObjects", body, { authorization: key.header() }));
    expectError(reply, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(reply.error?.message).toMatch(/not received whole/);
  });

  it("reads at most a few KiB for requests that carry no value (getObject, listKeyVersions)", async () => {
    const key = new SigsKey();
    const big = new Uint8Array(200 * 1024);
    big.set(toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId: "s", key: "k" })));
    for (const operation of ["getObject", "listKeyVersions"]) {
      const response = await send(`/${operation}`, big, { authorization: key.header() });
      expectError(await errorOf(response), 413, ErrorCode.INVALID_REQUEST_EXCEPTION);
    }
    expect((await new TestClient("s", key).get("k")).status).toBe(404);
  });
});
