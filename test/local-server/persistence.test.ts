import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { afterAll, describe, expect, it } from "vitest";
import {
  GetObjectRequestSchema,
  GetObjectResponseSchema,
  PutObjectRequestSchema,
} from "../../src/gen/vss_pb";
import { LocalServer } from "../support/local-server";
import { SigsKey } from "../support/sigs";

const dir = mkdtempSync(join(tmpdir(), "vss-persist-"));
const server = new LocalServer(dir);
afterAll(async () => {
  await server.stop("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: Uint8Array, key: SigsKey): Promise<Response> {
  return fetch(`${server.url}/vss${path}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", authorization: key.header() },
    body,
  });
}

/** The real local server keeps its data in the persist folder across restarts. */
describe("local server persistence", () => {
  it("serves data written before a restart, over real HTTP", async () => {
    const key = new SigsKey();
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
    await server.start();
    const put = await post(
      "/putObjects",
      toBinary(PutObjectRequestSchema, create(PutObjectRequestSchema, {
        storeId: "wallet",
        globalVersion: 0n,
        transactionItems: [{ key: "small", version: 0n, value: new TextEncoder().encode("kept") }, { key: "big", version: -1n, value: big }],
      })),
      key,
    );
    expect(put.status).toBe(200);
    expect(put.headers.get("vss-protocol-version")).toBe("0");
    await server.stop();
    expect(readdirSync(dir).length).toBeGreaterThan(0);

    await server.start();
    for (const [name, expected] of [["small", new TextEncoder().encode("kept")], ["big", big]] as const) {
      const response = await post("/getObject", toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId: "wallet", key: name })), key);
      expect(response.status).toBe(200);
      const value = fromBinary(GetObjectResponseSchema, new Uint8Array(await response.arrayBuffer())).value;
      expect(value?.version).toBe(1n);
      expect(Buffer.from(value?.value ?? []).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it("stops gracefully on SIGTERM: a put still arriving is answered and kept, and the runner exits 0", async () => {
    const key = new SigsKey();
    const value = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    await server.start();
    const body = Buffer.from(toBinary(PutObjectRequestSchema, create(PutObjectRequestSchema, { storeId: "stopping", transactionItems: [{ key: "k", version: -1n, value }] })));
    const answered = new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/vss/putObjects`, { method: "POST", headers: { authorization: key.header(), "content-length": String(body.length) } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      // The body arrives over ~1 s; the stop comes in the middle of it.
      const parts = 10;
      const step = Math.ceil(body.length / parts);
      for (let i = 0; i < parts; i++) setTimeout(() => (i === parts - 1 ? req.end(body.subarray(i * step)) : req.write(body.subarray(i * step, (i + 1) * step))), i * 100);
    });
    await new Promise((r) => setTimeout(r, 350));
    // The signal goes to the runner alone, as a service manager sends it: workerd must not outlive the runner.
    const stopped = server.stop("SIGTERM", true);
    expect(await answered).toBe(200);
    await stopped;
    expect(server.exit).toEqual({ code: 0, signal: null });
    expect(server.output).toMatch(/SIGTERM: stopping/);
    expect(server.leftBehind, server.leftBehindProcesses.join("; ")).toBe(false);
    await server.start();
    const response = await post("/getObject", toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId: "stopping", key: "k" })), key);
    expect(response.status).toBe(200);
    const kept = fromBinary(GetObjectResponseSchema, new Uint8Array(await response.arrayBuffer())).value?.value ?? new Uint8Array(0);
    expect(Buffer.from(kept).equals(Buffer.from(value))).toBe(true);
  });
});
