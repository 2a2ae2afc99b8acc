import { fromBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { createExecutionContext, env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { describe, expect, it } from "vitest";
import { ErrorResponseSchema } from "../../src/gen/vss_pb";
import { Prng } from "../support/fuzz";
import { CODE_OF_STATUS, OPS, generate, type Spec } from "../support/fuzz-requests";
import { SigsKey } from "../support/sigs";
import { TestClient } from "../support/vss";

/** Change the seed to explore; every failure message names the seed and the request index, so it reproduces. */
const SEED = 0x5eed_0004;
const REQUESTS = 12_000;
/**
 * The first requests go through `exports.default.fetch`; the rest call the Worker's fetch with the test env object.
 * Same Worker, same Durable Objects — but in vitest-pool-workers 0.15 exports.default.fetch slows down with every
 * call and hands the Worker a fresh env object each time (defeating the per-isolate config and sigs caches).
 */
const VIA_EXPORTS = 300;
const IN_FLIGHT = 16;
const TIMEOUT_MS = 15_000;

/** Sends one request with a deadline; resolves to a failure description, or null when the answer is right. */
async function run(spec: Spec): Promise<string | null> {
  const headers = new Headers({ "content-type": "application/octet-stream" });
  if (spec.authorization !== null) headers.set("authorization", spec.authorization);
  const request = new Request(spec.url, { method: spec.method, headers, body: spec.body });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"hang">((resolve) => (timer = setTimeout(() => resolve("hang"), TIMEOUT_MS)));
  const answer = spec.index < VIA_EXPORTS ? exports.default.fetch(request) : worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env as Env, createExecutionContext());
  const response = await Promise.race([answer, deadline]).finally(() => clearTimeout(timer));
  if (response === "hang") return "no answer within the deadline";
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.headers.get("vss-protocol-version") !== "0") return `status ${response.status} without the protocol header`;
  if (response.status >= 500) return `status ${response.status}`;
  if (!spec.statuses.includes(response.status)) return `status ${response.status}, allowed ${spec.statuses.join("/")}`;
  if (response.status === 200) {
    if (!spec.op) return null;
    try {
      fromBinary(OPS[spec.op].response, body);
      return null;
    } catch {
      return "200 body does not decode as the response message";
    }
  }
  if (spec.method === "HEAD") return body.byteLength === 0 ? null : "HEAD answered with a body";
  try {
    const error = fromBinary(ErrorResponseSchema, body);
    return error.errorCode === CODE_OF_STATUS[response.status] ? null : `status ${response.status} with error_code ${error.errorCode}`;
  } catch {
    return `status ${response.status} with a body that is not an ErrorResponse`;
  }
}

/** Runs `specs` with IN_FLIGHT requests outstanding; collects failures with what reproduces them. */
async function runAll(specs: Spec[]): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  async function lane() {
    while (next < specs.length) {
      const spec = specs[next++] as Spec;
      const failure = await run(spec).catch((error: unknown) => `fetch threw ${String(error)}`);
      if (failure) {
        const hex = spec.body ? bytesToHex(spec.body.subarray(0, 48)) : "-";
        failures.push(`seed ${SEED} #${spec.index} [${spec.kind}] ${spec.method} ${spec.url.slice(0, 80)}: ${failure} (body ${hex})`);
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return failures;
}

function highS(header: string): string {
  const n = secp256k1.Point.CURVE().n;
  const signature = hexToBytes(header.slice(66, 194));
  const s = BigInt("0x" + bytesToHex(signature.subarray(32)));
  return header.slice(0, 130) + (n - s).toString(16).padStart(64, "0") + header.slice(194);
}

describe("fuzz", () => {
  it(`answers ${REQUESTS} hostile requests with the right ErrorResponse, never a 5xx or a hang`, { timeout: 180_000 }, async () => {
    const fuzzer = new SigsKey();
    const valid = fuzzer.header();
    const auth = { valid, stale: fuzzer.header(Math.floor(Date.now() / 1000) - 2 * 86_400), highS: highS(valid) };

    // Data written before the storm, under the fuzzer's identity (a store the templates never name) and another.
    const mine = new TestClient("sentinel", fuzzer);
    const other = new TestClient("fuzz");
    for (const client of [mine, other]) {
      expect((await client.put([["a", 0, "alpha"], ["b", -1, "beta"]], { globalVersion: 0 })).status).toBe(200);
      expect((await client.put([["a", 1, "alpha-2"]], { globalVersion: 1 })).status).toBe(200);
    }

    const rng = new Prng(SEED);
    const specs = Array.from({ length: REQUESTS }, (_, i) => generate(rng, i, auth));
    const failures = await runAll(specs);
    expect(failures.slice(0, 20), `${failures.length} of ${REQUESTS} requests answered wrongly`).toEqual([]);

    for (const client of [mine, other]) {
      expect(await client.read("a")).toEqual({ version: 2, value: "alpha-2" });
      expect(await client.read("b")).toEqual({ version: 1, value: "beta" });
      const { pages, keys } = await client.listAll();
      expect(keys.map((kv) => [kv.key, Number(kv.version)])).toEqual([["b", 1], ["a", 2]]);
      expect(pages[0]?.globalVersion).toBe(2n);
    }
  });

  it("refuses bodies over the limit, declared or streamed, with 413 — after checking credentials", { timeout: 60_000 }, async () => {
    const key = new SigsKey();
    const limit = 40 * 1024 * 1024;
    const chunk = new Uint8Array(1024 * 1024);
    // One transaction item that declares twice the limit: well-formed as far as it goes, so only the size refuses it.
    const itemHeader = new BinaryWriter().tag(3, WireType.LengthDelimited).uint32(2 * limit).finish();
    const streamed = () => {
      let sent = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(itemHeader);
          if (sent++ > limit / chunk.byteLength) controller.close();
          else controller.enqueue(chunk);
        },
      });
    };
    const cases: [string, BodyInit, string | null, number][] = [
      ["declared", new Uint8Array(limit + 1), key.header(), 413],
      ["streamed", streamed(), key.header(), 413],
      ["declared, no credentials", new Uint8Array(limit + 1), null, 401],
    ];
    for (const [name, body, authorization, status] of cases) {
      const headers = new Headers(authorization ? { authorization } : {});
      const response = await exports.default.fetch(new Request(`http://vss.test/vss/putObjects`, { method: "POST", headers, body, duplex: "half" } as RequestInit));
      expect(response.headers.get("vss-protocol-version"), name).toBe("0");
      expect(response.status, name).toBe(status);
      const error = fromBinary(ErrorResponseSchema, new Uint8Array(await response.arrayBuffer()));
      expect(error.errorCode, name).toBe(CODE_OF_STATUS[status]);
    }
  });
});
