import { mkdtempSync, readdirSync, rmSync } from "node:fs";
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
});
