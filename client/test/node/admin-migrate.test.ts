import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedHeaders, listAllKeyVersions, sigsAuth, VssClient } from "../../src/index.js";
import { BundleServer, buildBundle } from "../../../test/support/bundle-server.js";
import { PostgresServer } from "../../../test/support/postgres.js";
import { buildPrivateCli, runCliAt } from "./cli-runner.js";
import { readExport } from "../../src/cli/commands/admin/frames.js";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";

const TOKEN = "m".repeat(40);
let CLI = "";
let CLI_DIR = "";
function buildCli(): void {
  ({ dir: CLI_DIR, cli: CLI } = buildPrivateCli("admin"));
}
const runCli = (args: string[], timeoutMs: number) => runCliAt(CLI, args, timeoutMs);
const MiB = 1024 * 1024;

/** One reference row, as the source holds it, in creation (sort_order) order per store. */
interface Row {
  userToken: string;
  storeId: string;
  key: string;
  value: Buffer;
  version: bigint;
}

const REFERENCE_SCHEMA = `
CREATE TABLE vss_db (
  user_token character varying(120) NOT NULL CHECK (user_token <> ''),
  store_id character varying(120) NOT NULL,
  key character varying(600) NOT NULL,
  value bytea NULL,
  version bigint NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  last_updated_at TIMESTAMP WITH TIME ZONE,
  sort_order BIGSERIAL,
  PRIMARY KEY (user_token, store_id, key)
);`;

const sigsUsers = [secp256k1.utils.randomSecretKey(), secp256k1.utils.randomSecretKey()].map((secret) => ({
  secret,
  token: bytesToHex(secp256k1.getPublicKey(secret, true)),
}));

/** The source: several user tokens of each kind, several stores, keys created out of key order, odd keys and values. */
function sourceRows(): { rows: Row[]; globalVersions: Map<string, bigint>; updates: Row[] } {
  const rows: Row[] = [];
  const globalVersions = new Map<string, bigint>();
  const stores: [string, string][] = [
    [sigsUsers[0]?.token ?? "", "wallet"],
    [sigsUsers[0]?.token ?? "", ""],
    [sigsUsers[1]?.token ?? "", "wallet"],
    ["alice", "wallet"],
    ["alice", "backup"],
    ["bob@example.com", "w"],
    ["unauth-user", "wallet"],
  ];
  stores.forEach(([userToken, storeId], s) => {
    const keys = ["zeta", "alpha", "mid/😀", "über", "x".repeat(600), "empty", `k${s}`];
    keys.forEach((key, i) => {
      const value = key === "empty" ? Buffer.alloc(0) : randomBytes(10 + i * 7);
      rows.push({ userToken, storeId, key, value, version: BigInt(1 + ((i * 3 + s) % 5)) });
    });
    if (s % 2 === 0) globalVersions.set(`${userToken}/${storeId}`, BigInt(3 + s));
  });
  // The first store is large: six values of 5 MiB, so that an upload takes several requests.
  for (let i = 0; i < 6; i++) rows.push({ userToken: sigsUsers[0]?.token ?? "", storeId: "wallet", key: `big/${5 - i}`, value: randomBytes(5 * MiB), version: 1n });
  // An update keeps a key's creation position (sort_order) and raises its version.
  const updates = [{ ...(rows[0] as Row), value: randomBytes(33), version: 9n }];
  return { rows, globalVersions, updates };
}

const identityOf = (token: string) => (/^[0-9a-f]{66}$/.test(token) ? `sigs:${token}` : token === "unauth-user" ? "none:unauth-user" : `jwt:${token}`);

/** Every file of an export directory with the SHA-256 of its bytes (comparing digests, not MiB-long arrays). */
function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of ["manifest.json", ...readdirSync(join(dir, "stores")).map((f) => `stores/${f}`)]) {
    files[name] = createHash("sha256").update(readFileSync(join(dir, name))).digest("hex");
  }
  return files;
}

/** The chain an export's header carries (HISTORY.md §3): the store's incarnation and head at the export. */
type ExportedChain = { incarnation?: string; headRevision?: string; headDigest?: string };

/**
 * An export directory's content apart from each store's chain: the manifest's stores without their files' hashes,
 * and per file its header without the chain and the SHA-256 of its items (keys, versions, values, in order).
 */
async function contentsOf(dir: string): Promise<{ content: unknown; chains: Record<string, ExportedChain> }> {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { stores: Record<string, unknown>[] };
  const stores: Record<string, unknown> = {};
  const chains: Record<string, ExportedChain> = {};
  for (const name of readdirSync(join(dir, "stores"))) {
    const items = createHash("sha256");
    const { header } = await readExport(createReadStream(join(dir, "stores", name)), {
      onItem: (item) => void items.update(JSON.stringify([item.key, String(item.version), item.value.length])).update(item.value),
    });
    const { incarnation, headRevision, headDigest, ...rest } = header;
    chains[name] = { incarnation, headRevision, headDigest };
    stores[name] = { header: rest, items: items.digest("hex") };
  }
  return { content: { stores, manifest: manifest.stores.map(({ sha256: _, ...rest }) => rest) }, chains };
}

describe("vss admin: moving a reference vss-server database in and out", () => {
  const postgres = new PostgresServer();
  const state = mkdtempSync(join(tmpdir(), "vss-admin-e2e-"));
  let signer: { privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"]; publicPem: string };
  let serverA: BundleServer;
  let serverB: BundleServer;
  let source: ReturnType<typeof sourceRows>;
  const db = (name: string) => `${postgres.url}/${name}`;

  beforeAll(async () => {
    buildCli();
    const pair = await generateKeyPair("ES256", { extractable: true });
    signer = { privateKey: pair.privateKey, publicPem: await exportSPKI(pair.publicKey) };
    const vars = { VSS_ADMIN_TOKEN: TOKEN, VSS_AUTH_SCHEMES: "sigs,jwt,none", VSS_JWT_PUBLIC_KEYS: signer.publicPem.replace(/\n/g, "\\n") };
    const bundle = buildBundle(join(state, "bundle"));
    serverA = new BundleServer(bundle, join(state, "a"), vars);
    serverB = new BundleServer(bundle, join(state, "b"), vars);
    await Promise.all([postgres.start(), serverA.start(120_000), serverB.start(120_000)]);
    const admin = new pg.Client({ connectionString: db("postgres") });
    await admin.connect();
    await admin.query("CREATE DATABASE vss_source");
    await admin.query("CREATE DATABASE vss_back");
    await admin.end();
    source = sourceRows();
    const client = new pg.Client({ connectionString: db("vss_source") });
    await client.connect();
    await client.query(REFERENCE_SCHEMA);
    for (const row of source.rows) {
      await client.query("INSERT INTO vss_db (user_token, store_id, key, value, version, created_at, last_updated_at) VALUES ($1, $2, $3, $4, $5, now(), now())", [row.userToken, row.storeId, row.key, row.value, row.version.toString()]);
    }
    for (const row of source.updates) {
      await client.query("UPDATE vss_db SET value = $4, version = $5 WHERE user_token = $1 AND store_id = $2 AND key = $3", [row.userToken, row.storeId, row.key, row.value, row.version.toString()]);
      const original = source.rows.find((r) => r.userToken === row.userToken && r.storeId === row.storeId && r.key === row.key);
      if (original) Object.assign(original, { value: row.value, version: row.version });
    }
    for (const [name, version] of source.globalVersions) {
      const [userToken, storeId] = [name.slice(0, name.indexOf("/")), name.slice(name.indexOf("/") + 1)];
      await client.query("INSERT INTO vss_db (user_token, store_id, key, value, version, created_at, last_updated_at) VALUES ($1, $2, 'global_version', ''::bytea, $3, now(), now())", [userToken, storeId, version.toString()]);
    }
    await client.end();
  }, 600_000);

  afterAll(async () => {
    await Promise.all([serverA?.stop(), serverB?.stop()]);
    postgres.stop();
    rmSync(state, { recursive: true, force: true });
    rmSync(CLI_DIR, { recursive: true, force: true });
  });

  const cli = (args: string[]) => runCli(["admin", ...args, "--admin-token", TOKEN, "--quiet"], 300_000);

  async function walletFor(url: string, userToken: string): Promise<VssClient> {
    const sigs = sigsUsers.find((u) => u.token === userToken);
    const headerProvider = sigs
      ? sigsAuth(sigs.secret)
      : userToken === "unauth-user"
        ? fixedHeaders({})
        : fixedHeaders({ Authorization: `Bearer ${await new SignJWT({ sub: userToken, exp: Math.floor(Date.now() / 1000) + 3600 }).setProtectedHeader({ alg: "ES256" }).sign(signer.privateKey)}` });
    return new VssClient(`${url}/vss`, { headerProvider, timeoutMs: 60_000 });
  }

  /** Every store of the source, read back through the normal VSS routes of `url`. */
  async function expectAllMigrated(url: string) {
    const stores = new Map<string, Row[]>();
    for (const row of source.rows) stores.set(`${row.userToken}/${row.storeId}`, [...(stores.get(`${row.userToken}/${row.storeId}`) ?? []), row]);
    for (const [name, rows] of stores) {
      const { userToken, storeId } = rows[0] as Row;
      const wallet = await walletFor(url, userToken);
      const listed = await listAllKeyVersions(wallet, { storeId });
      expect(listed.keys.map((kv) => [kv.key, kv.version]), name).toEqual(rows.map((r) => [r.key, r.version]).reverse());
      expect(listed.globalVersion ?? 0n, name).toBe(source.globalVersions.get(name) ?? 0n);
      for (const row of rows) {
        const got = await wallet.getObject({ storeId, key: row.key });
        expect(got.version).toBe(row.version);
        expect(Buffer.from(got.value).equals(row.value), `${name} ${row.key}`).toBe(true);
      }
    }
  }

  it("a dry run reads the source, reports, and writes nothing", async () => {
    const run = await cli(["migrate", "--dry-run", "--from", db("vss_source"), "--to", serverB.url, "--report", join(state, "dry.json")]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(state, "dry.json"), "utf8"));
    expect(report).toMatchObject({ dryRun: true, identities: 5, stores: 7, wouldMove: 7, keys: source.rows.length, failed: [], skipped: [] });
    const status = await fetch(`${serverB.url}/admin/store?identity=${encodeURIComponent(identityOf(sigsUsers[0]?.token ?? ""))}&store_id=wallet`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await status.json()).toMatchObject({ state: "empty" });
  }, 300_000);

  it("migrates after an interruption without losing or doubling anything; a re-run changes nothing", async () => {
    const args = ["admin", "migrate", "--from", db("vss_source"), "--to", serverA.url, "--admin-token", TOKEN, "--concurrency", "1"];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const big = `identity=${encodeURIComponent(identityOf(sigsUsers[0]?.token ?? ""))}&store_id=wallet`;
    for (let i = 0; i < 1200; i++) {
      const status = (await (await fetch(`${serverA.url}/admin/store?${big}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { state: string; received: number };
      if (status.state === "importing" && status.received > 0) break;
      if (status.state === "ready") throw new Error("the migration finished before it could be interrupted");
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    expect(await exited).toBe(null);

    const resumed = await cli(["migrate", "--from", db("vss_source"), "--to", serverA.url, "--report", join(state, "resumed.json")]);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    expect(JSON.parse(readFileSync(join(state, "resumed.json"), "utf8"))).toMatchObject({ stores: 7, failed: [], skipped: [] });
    await expectAllMigrated(serverA.url);

    const before = await cli(["export", "--from", serverA.url, "--to", join(state, "before")]);
    expect(before.code, before.stderr + before.stdout).toBe(0);
    const again = await cli(["migrate", "--from", db("vss_source"), "--to", serverA.url, "--report", join(state, "again.json")]);
    expect(again.code).toBe(0);
    expect(JSON.parse(readFileSync(join(state, "again.json"), "utf8"))).toMatchObject({ moved: 0, alreadyThere: 7 });
    expect((await cli(["export", "--from", serverA.url, "--to", join(state, "after")])).code).toBe(0);
    expect(filesOf(join(state, "after"))).toEqual(filesOf(join(state, "before")));
  }, 900_000);

  it("round-trips through an export directory into another deployment: the same content, each store's chain continued", async () => {
    const imported = await cli(["import", "--from", join(state, "before"), "--to", serverB.url]);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await cli(["export", "--from", serverB.url, "--to", join(state, "from-b")])).code).toBe(0);
    const [fromB, before] = [await contentsOf(join(state, "from-b")), await contentsOf(join(state, "before"))];
    expect(fromB.content).toEqual(before.content);
    // Every byte but the chain is the same; the import is one revision, chained from the exported head (HISTORY.md §3).
    expect(Object.keys(before.chains)).toHaveLength(7);
    for (const [file, chain] of Object.entries(before.chains)) {
      expect(chain.incarnation).toMatch(/^[0-9a-f]{32}$/);
      expect(fromB.chains[file]?.incarnation).toBe(chain.incarnation);
      expect(fromB.chains[file]?.headRevision).toBe(String(BigInt(chain.headRevision ?? "0") + 1n));
      expect(fromB.chains[file]?.headDigest).not.toBe(chain.headDigest);
    }
    await expectAllMigrated(serverB.url);
  }, 600_000);

  it("writes a database the reference server can serve, holding the original rows", async () => {
    const run = await cli(["export", "--from", serverA.url, "--to", db("vss_back")]);
    expect(run.code, run.stderr).toBe(0);
    const read = async (name: string) => {
      const client = new pg.Client({ connectionString: db(name) });
      await client.connect();
      const rows = await client.query("SELECT user_token, store_id, key, encode(value, 'hex') AS value, version FROM vss_db ORDER BY user_token, store_id, sort_order");
      await client.end();
      return rows.rows.filter((r) => r.key !== "global_version").concat(rows.rows.filter((r) => r.key === "global_version"));
    };
    const back = await read("vss_back");
    const original = await read("vss_source");
    expect(back.length).toBe(original.length);
    expect(new Set(back.map((r) => JSON.stringify(r)))).toEqual(new Set(original.map((r) => JSON.stringify(r))));
    const order = (rows: typeof back) => rows.filter((r) => r.key !== "global_version").map((r) => `${r.user_token}/${r.store_id}/${r.key}`);
    expect(order(back)).toEqual(order(original));
  }, 300_000);

  it("lets a wallet keep writing with its old versions", async () => {
    for (const userToken of [sigsUsers[0]?.token ?? "", "alice", "unauth-user"]) {
      const row = source.rows.find((r) => r.userToken === userToken) as Row;
      const wallet = await walletFor(serverA.url, userToken);
      await wallet.putObjects({ storeId: row.storeId, transactionItems: [{ key: row.key, version: row.version, value: Buffer.from("after the move") }] });
      expect((await wallet.getObject({ storeId: row.storeId, key: row.key })).version).toBe(row.version + 1n);
    }
  }, 120_000);
});
