import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GetLeaseRequestSchema,
  GetObjectsRequestSchema,
  ListChangesRequestSchema,
  ReleaseLeaseRequestSchema,
  RenewLeaseRequestSchema,
  WatchTicketRequestSchema,
} from "../../src/gen/multidevice_pb";
import { DeleteObjectRequestSchema, GetObjectRequestSchema, ListKeyVersionsRequestSchema, PutObjectRequestSchema } from "../../src/gen/vss_pb";
import { LocalServer } from "../support/local-server";
import { SigsKey } from "../support/sigs";

const dir = mkdtempSync(join(tmpdir(), "vss-absent-"));
const server = new LocalServer(dir);
beforeAll(() => server.start(), 120_000);
afterAll(async () => {
  await server.stop("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Every file under the server's state directory (SQLite databases and their journals), by path. */
function stateFiles(root = dir): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? stateFiles(path) : [path];
  });
}

function call<Desc extends DescMessage>(key: SigsKey, operation: string, schema: Desc, init: MessageInitShape<Desc>, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/vss/${operation}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", authorization: key.header(), ...headers },
    body: toBinary(schema, create(schema, init)),
  });
}

/** Issue 19, finding 4, counted the way an operator would see it: files in the state directory. */
describe("calls on stores that do not exist, against the local server", () => {
  it("leave no file behind: every read, and every write that changes nothing or is refused", async () => {
    const key = new SigsKey();
    // The identity's first store, and the deployment's secrets object (made once, by the first watch ticket).
    await call(key, "putObjects", PutObjectRequestSchema, { storeId: "warm", transactionItems: [{ key: "k", version: 0n, value: new Uint8Array(1) }] });
    await call(key, "watchTicket", WatchTicketRequestSchema, { storeId: "warm" });
    const before = stateFiles();
    const token = "0".repeat(32);
    for (let i = 0; i < 5; i++) {
      const storeId = `fresh-${i}-${Math.random()}`;
      const answers = await Promise.all([
        call(key, "getObject", GetObjectRequestSchema, { storeId, key: "k" }),
        call(key, "getObject", GetObjectRequestSchema, { storeId, key: "global_version" }),
        call(key, "listKeyVersions", ListKeyVersionsRequestSchema, { storeId }),
        call(key, "deleteObject", DeleteObjectRequestSchema, { storeId, keyValue: { key: "k", version: -1n } }),
        call(key, "putObjects", PutObjectRequestSchema, { storeId }),
        call(key, "putObjects", PutObjectRequestSchema, { storeId, transactionItems: [{ key: "k", version: 7n }] }),
        call(key, "putObjects", PutObjectRequestSchema, { storeId, transactionItems: [{ key: "k", version: 0n }] }, { "vss-lease": token }),
        call(key, "getLease", GetLeaseRequestSchema, { storeId }),
        call(key, "renewLease", RenewLeaseRequestSchema, { storeId, token, ttlSeconds: 60 }),
        call(key, "releaseLease", ReleaseLeaseRequestSchema, { storeId, token }),
        call(key, "listChanges", ListChangesRequestSchema, { storeId, sinceRevision: 0n }),
        call(key, "getObjects", GetObjectsRequestSchema, { storeId, keys: ["a", "b"] }),
        call(key, "watchTicket", WatchTicketRequestSchema, { storeId }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([404, 200, 200, 200, 200, 409, 409, 200, 409, 200, 200, 200, 200]);
    }
    expect(stateFiles()).toEqual(before);
  });
});
