// Issue 17: no request may harm another. Requests the Worker refuses early — before it has read their bodies — and
// uploads their clients abandon, interleaved with a second client's ordinary calls on kept-alive connections (as
// reqwest and bitreq keep them), against the local server exactly as `npm start` runs it.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetObjectRequestSchema, PutObjectRequestSchema } from "../../src/gen/vss_pb";
import { LocalServer } from "../support/local-server";
import { SigsKey } from "../support/sigs";

const LIMIT = 256 * 1024;
const dir = mkdtempSync(join(tmpdir(), "vss-interleave-"));
const server = new LocalServer(dir, { VSS_MAX_REQUEST_BYTES: String(LIMIT) });
beforeAll(() => server.start(120_000), 150_000);
afterAll(async () => {
  await server.stop("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const agent = (connections: number) => new http.Agent({ keepAlive: true, maxSockets: connections });

/** One request through `through`; resolves to the status, or to the error's code when the exchange failed. */
function request(through: http.Agent, path: string, headers: Record<string, string>, body: Uint8Array): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.request(`${server.url}${path}`, { method: "POST", agent: through, headers: { ...headers, "content-length": String(body.byteLength) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end(body);
  });
}

/** An upload that stops halfway and closes its connection. */
function abandonedUpload(key: SigsKey): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(server.port, "127.0.0.1", () => {
      socket.write(`POST /vss/putObjects HTTP/1.1\r\nHost: x\r\nauthorization: ${key.header()}\r\ncontent-length: 100000\r\n\r\n`);
      socket.write(Buffer.alloc(30_000, 1), () => setTimeout(() => (socket.destroy(), resolve()), 5));
    });
    socket.on("error", () => resolve());
  });
}

const put = (storeId: string, key: string, value: Uint8Array) =>
  toBinary(PutObjectRequestSchema, create(PutObjectRequestSchema, { storeId, transactionItems: [{ key, version: -1n, value }] }));
const get = (storeId: string, key: string) => toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId, key }));

describe("requests refused early never harm another client's", () => {
  it("a wallet's calls all succeed while another client's bodies are refused unread or abandoned", async () => {
    const hostile = new SigsKey();
    const honest = new SigsKey();
    const hostileAgent = agent(4);
    const honestAgent = agent(2);
    const overLongStoreId = toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId: "s".repeat(5000), key: "k" }));
    const overLimit = put("s", "k", new Uint8Array(LIMIT + 1));
    const failures: string[] = [];
    for (let round = 0; round < 60; round++) {
      const attacks = await Promise.all([
        request(hostileAgent, "/vss/getObject", { authorization: hostile.header() }, overLongStoreId),
        request(hostileAgent, "/vss/putObjects", { authorization: hostile.header() }, overLimit),
        request(hostileAgent, "/vss/getObject", { authorization: "garbage" }, overLongStoreId),
        abandonedUpload(hostile),
      ]);
      for (const status of attacks.slice(0, 3)) if (![400, 401, 413].includes(status as number) && typeof status === "number") failures.push(`attack answered ${status}`);
      const value = new TextEncoder().encode(`round ${round}`);
      const wrote = await request(honestAgent, "/vss/putObjects", { authorization: honest.header() }, put("wallet", "k", value));
      const read = await request(honestAgent, "/vss/getObject", { authorization: honest.header() }, get("wallet", "k"));
      if (wrote !== 200 || read !== 200) failures.push(`round ${round}: put ${wrote}, get ${read}`);
    }
    hostileAgent.destroy();
    honestAgent.destroy();
    expect(failures).toEqual([]);
  }, 120_000);
});
