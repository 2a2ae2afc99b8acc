// The `vss` CLI end to end against the real local server (as `npm start` runs it), with real signatures.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex, randomBytes } from "@noble/hashes/utils.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VssClient, listAllKeyVersions, sigsAuth } from "../../src/index.js";
import { LdkNodeKvStore, deriveLdkNodeSecrets } from "../../src/ldk/index.js";
import { runCli } from "./cli-runner.js";
import { buildClient, startLocalServer, type LocalServer } from "./local-server.js";

const MIB = 1_048_576;
let server: LocalServer;
let dir: string;

beforeAll(async () => {
  buildClient();
  server = await startLocalServer();
  dir = mkdtempSync(join(tmpdir(), "vss-cli-files-"));
}, 240_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

function identity() {
  const secretKey = secp256k1.utils.randomSecretKey();
  const env = { VSS_URL: server.baseUrl, VSS_SIGS_KEY: bytesToHex(secretKey) };
  const client = new VssClient(server.baseUrl, { headerProvider: sigsAuth(secretKey) });
  return { secretKey, env, client };
}

const lines = (out: Buffer) => out.toString().split("\n").filter((line) => line !== "");

describe("VssClient in Node against the real server", () => {
  it("keeps a key that begins with U+FEFF apart from the same key without it (decoding keeps the mark)", async () => {
    const { client } = identity();
    await client.putObjects({ storeId: "bom", transactionItems: [{ key: "\uFEFFbom", version: 0n }, { key: "bom", version: 0n }] });
    const { keys } = await listAllKeyVersions(client, { storeId: "bom" });
    expect(keys.map((kv) => kv.key)).toEqual(["bom", "\uFEFFbom"]);
    expect((await client.getObject({ storeId: "bom", key: "\uFEFFbom" })).key).toBe("\uFEFFbom");
  });
});

describe("vss CLI", () => {
  it("puts, gets, lists and deletes with auth from the environment", async () => {
    const { env } = identity();
    const binary = randomBytes(1000);
    writeFileSync(join(dir, "binary"), binary);
    expect((await runCli(["--store", "basic", "put", "text", "hello"], env)).code).toBe(0);
    expect((await runCli(["--store", "basic", "put", "bin", "--file", join(dir, "binary")], env)).code).toBe(0);
    expect((await runCli(["--store", "basic", "put", "piped"], env, Buffer.from("from stdin"))).code).toBe(0);

    expect((await runCli(["--store", "basic", "get", "text"], env)).stdout.toString()).toBe("hello");
    expect((await runCli(["--store", "basic", "get", "bin"], env)).stdout.equals(Buffer.from(binary))).toBe(true);
    await runCli(["--store", "basic", "get", "piped", "--out", join(dir, "piped")], env);
    expect(readFileSync(join(dir, "piped"), "utf8")).toBe("from stdin");

    expect(lines((await runCli(["--store", "basic", "list"], env)).stdout)).toEqual(["1\tpiped", "1\tbin", "1\ttext"]);
    expect(lines((await runCli(["--store", "basic", "list", "--prefix", "t"], env)).stdout)).toEqual(["1\ttext"]);
    expect(lines((await runCli(["--store", "basic", "list", "--page-size", "1", "--limit", "2", "--json"], env)).stdout)).toEqual([
      '{"key":"piped","version":"1"}',
      '{"key":"bin","version":"1"}',
    ]);

    expect((await runCli(["--store", "basic", "put", "text", "v2", "--version", "1"], env)).code).toBe(0);
    const stale = await runCli(["--store", "basic", "put", "text", "v3", "--version", "1"], env);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/conflict, HTTP 409/);
    expect(lines((await runCli(["--store", "basic", "list", "--prefix", "text"], env)).stdout)).toEqual(["2\ttext"]);

    expect((await runCli(["--store", "basic", "delete", "text"], env)).code).toBe(0);
    const missing = await runCli(["--store", "basic", "get", "text"], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/not found/);
  });

  it("takes everything from flags too, and reports auth and usage errors", async () => {
    const { env } = identity();
    const flags = ["--url", env.VSS_URL, "--sigs-key", env.VSS_SIGS_KEY, "--store", "flags"];
    expect((await runCli([...flags, "put", "k", "v"])).code).toBe(0);
    expect((await runCli([...flags, "get", "k"])).stdout.toString()).toBe("v");

    const anonymous = await runCli(["--url", env.VSS_URL, "--retries", "1", "get", "k"]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/\(auth, HTTP 401\)/);

    expect((await runCli(["get", "k"])).code).toBe(2);
    expect((await runCli(["--url", env.VSS_URL, "frobnicate"])).code).toBe(2);
    expect((await runCli(["--url", env.VSS_URL, "--sigs-key", "abcd", "get", "k"])).stderr).toMatch(/32 bytes/);
  });

  it("exports a store and imports it back byte-exact, in the same order, with progress", async () => {
    const { env, client } = identity();
    const items = Array.from({ length: 260 }, (_, i) => ({ key: `k/${i}`, value: randomBytes(i % 7 === 0 ? 0 : 1 + (i % 300)) }));
    items.push({ key: "big", value: new Uint8Array(3 * MIB).map((_, i) => (i * 31) % 251) });
    items.push({ key: "ünïcode # key", value: randomBytes(64) });
    for (let i = 0; i < items.length; i += 50) {
      await client.putObjects({ storeId: "source", transactionItems: items.slice(i, i + 50).map(({ key, value }) => ({ key, version: 0n, value })) });
    }
    await client.putObjects({ storeId: "source", transactionItems: [{ key: "k/5", version: 1n, value: Buffer.from("updated") }] });
    const file = join(dir, "source.jsonl");

    const exported = await runCli(["--store", "source", "export", file, "--page-size", "50"], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(new RegExp(`exported ${items.length}/${items.length} keys \\(3\\.\\d MiB\\)`));
    const [header, ...rest] = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(JSON.parse(header ?? "")).toMatchObject({ format: "vss-export", formatVersion: 1, storeId: "source", keys: items.length });
    expect(JSON.parse(rest.at(-1) ?? "")).toEqual({ end: true, keys: items.length });
    expect(JSON.parse(rest.find((line) => line.includes('"k/5"')) ?? "")).toMatchObject({ version: "2" });

    const imported = await runCli(["--store", "copy", "import", file, "--batch", "40"], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(new RegExp(`imported ${items.length}/${items.length} keys`));

    const source = await listAllKeyVersions(client, { storeId: "source" });
    const copy = await listAllKeyVersions(client, { storeId: "copy" });
    expect(copy.keys.map((kv) => kv.key)).toEqual(source.keys.map((kv) => kv.key));
    for (const { key } of source.keys) {
      const [a, b] = await Promise.all([client.getObject({ storeId: "source", key }), client.getObject({ storeId: "copy", key })]);
      expect(Buffer.from(b.value).equals(Buffer.from(a.value)), key).toBe(true);
    }

    const again = join(dir, "copy.jsonl");
    expect((await runCli(["--store", "copy", "export", again, "--quiet"], env)).code).toBe(0);
    const strip = (text: string) => text.trimEnd().split("\n").slice(1).map((line) => line.replace(/"version":"\d+"/, ""));
    expect(strip(readFileSync(again, "utf8"))).toEqual(strip(readFileSync(file, "utf8")));

    const createOnly = await runCli(["--store", "copy", "import", file, "--create-only", "--retries", "1"], env);
    expect(createOnly.code).toBe(1);
    expect(createOnly.stderr).toMatch(/conflict/);
  });

  it("refuses a truncated export without writing anything", async () => {
    const { env, client } = identity();
    await client.putObjects({ storeId: "t", transactionItems: [1, 2, 3].map((i) => ({ key: `k${i}`, version: 0n, value: Buffer.from(`v${i}`) })) });
    const file = join(dir, "truncated.jsonl");
    expect((await runCli(["--store", "t", "export", file, "--quiet"], env)).code).toBe(0);
    writeFileSync(file, readFileSync(file, "utf8").trimEnd().split("\n").slice(0, -2).join("\n") + "\n");
    const result = await runCli(["--store", "t-copy", "import", file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/truncated/);
    expect((await listAllKeyVersions(client, { storeId: "t-copy" })).keys).toHaveLength(0);
  });

  it("ldk-node mode reads and writes an ldk-node-layout store from the seed alone", async () => {
    const seed = randomBytes(64);
    const client = new VssClient(server.baseUrl, { headerProvider: sigsAuth(deriveLdkNodeSecrets(seed).signingKey) });
    const store = await LdkNodeKvStore.open({ client, storeId: "wallet", seed });
    await store.write("monitors", "", "txo_1", Buffer.from("monitor one"));
    await store.write("monitors", "", "txo_2", Buffer.from("monitor two"));
    const env = { VSS_URL: server.baseUrl, VSS_SEED: bytesToHex(seed), VSS_STORE_ID: "wallet" };

    expect(lines((await runCli(["--ldk", "list", "monitors"], env)).stdout)).toEqual(["txo_2", "txo_1"]);
    expect((await runCli(["--ldk", "get", "monitors//txo_1"], env)).stdout.toString()).toBe("monitor one");
    expect((await runCli(["--ldk", "put", "payments//p1", "paid"], env)).code).toBe(0);
    expect(Buffer.from(await store.read("payments", "", "p1")).toString()).toBe("paid");
    expect((await runCli(["--ldk", "get", "monitors/txo_1"], env)).code).toBe(2);

    const raw = lines((await runCli(["list"], env)).stdout).join("\n");
    expect(raw).not.toMatch(/monitors|payments|txo_/);
  });
});
