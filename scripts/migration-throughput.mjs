#!/usr/bin/env node
// Measures `vss admin migrate` end to end on this machine: a real PostgreSQL (Debian's package) holding a reference
// vss-server table of a few hundred MB, the deployable bundle served locally (scripts/lib/serve.mjs), the built CLI.
// Prints MB/s and minutes per GB (README § Migrating from vss-server). Usage: node scripts/migration-throughput.mjs [MiB]
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { buildBundle, freePort, startServer } from "./lib/local-server.mjs";

const TOTAL_MIB = Number(process.argv[2] ?? 256);
const TOKEN = "b".repeat(40);
const work = mkdtempSync(join(tmpdir(), "vss-migrate-bench-"));

function postgresBin() {
  const root = "/usr/lib/postgresql";
  const find = () => (existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)).map((v) => join(root, v, "bin")).find((b) => existsSync(join(b, "pg_ctl"))) : undefined);
  if (!find()) for (const args of [["update"], ["install", "-y", "--no-install-recommends", "postgresql"]]) spawnSync("apt-get", args, { stdio: "inherit" });
  return find();
}

const bin = postgresBin();
const asPostgres = (tool, args) => execFileSync(process.getuid() === 0 ? "runuser" : join(bin, tool), process.getuid() === 0 ? ["-u", "postgres", "--", join(bin, tool), ...args] : args, { stdio: "pipe", cwd: work });
if (process.getuid() === 0) chownSync(work, Number(execFileSync("id", ["-u", "postgres"]).toString()), Number(execFileSync("id", ["-g", "postgres"]).toString()));
const pgPort = await freePort();
asPostgres("initdb", ["-D", join(work, "data"), "-U", "postgres", "--auth=trust", "--locale=C"]);
asPostgres("pg_ctl", ["-D", join(work, "data"), "-o", `-p ${pgPort} -k ${work} -c listen_addresses=127.0.0.1`, "-l", join(work, "log"), "-w", "start"]);
let server;
try {
  const url = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query(`CREATE TABLE vss_db (user_token varchar(120) NOT NULL, store_id varchar(120) NOT NULL, key varchar(600) NOT NULL,
    value bytea, version bigint NOT NULL, created_at timestamptz NOT NULL, last_updated_at timestamptz, sort_order BIGSERIAL,
    PRIMARY KEY (user_token, store_id, key))`);
  // Wallet-like stores: many small values (channel updates, payments) and a few large ones (channel monitors).
  const stores = 32;
  const perStore = (TOTAL_MIB * 1024 * 1024) / stores;
  let keys = 0;
  for (let s = 0; s < stores; s++) {
    const token = "02" + randomBytes(32).toString("hex");
    let bytes = 0;
    for (let batch = 0; bytes < perStore; batch++) {
      const rows = [];
      for (let i = 0; i < 50 && bytes < perStore; i++) {
        const size = i % 25 === 0 ? 1024 * 1024 : 4096 + ((i * 977) % 60000);
        rows.push([token, "wallet", `payments/${batch}/${i}`, randomBytes(size), 1 + (i % 3)]);
        bytes += size;
      }
      const params = rows.flat();
      await db.query(`INSERT INTO vss_db (user_token, store_id, key, value, version, created_at) VALUES ${rows.map((_, r) => `($${r * 5 + 1}, $${r * 5 + 2}, $${r * 5 + 3}, $${r * 5 + 4}, $${r * 5 + 5}, now())`).join(", ")}`, params);
      keys += rows.length;
    }
  }
  const { rows: [{ total }] } = await db.query("SELECT SUM(octet_length(value))::bigint AS total FROM vss_db");
  await db.end();

  const bundle = buildBundle(join(work, "bundle"));
  server = await startServer({ bundle, persistTo: join(work, "state"), vars: { VSS_ADMIN_TOKEN: TOKEN }, rateLimits: false });
  spawnSync("npx", ["tsc", "-p", "client/tsconfig.build.json"], { stdio: "inherit" });
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ["client/dist/cli/main.js", "admin", "migrate", "--from", url, "--to", server.url, "--admin-token", TOKEN, "--quiet"], { encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`migrate failed:\n${run.stdout}${run.stderr}`);
  const mib = Number(total) / 1024 / 1024;
  console.log(run.stdout.trim());
  const rate = (what, secs) => `${what} ${keys} keys, ${mib.toFixed(0)} MiB in ${secs.toFixed(1)} s: ${(mib / secs).toFixed(1)} MiB/s, ${(1024 / (mib / secs) / 60).toFixed(1)} min per GiB`;
  console.log(rate("migrated", seconds));
  const exportStart = process.hrtime.bigint();
  const exported = spawnSync(process.execPath, ["client/dist/cli/main.js", "admin", "export", "--from", server.url, "--to", join(work, "export"), "--admin-token", TOKEN, "--quiet"], { encoding: "utf8" });
  if (exported.status !== 0) throw new Error(`export failed:\n${exported.stdout}${exported.stderr}`);
  console.log(rate("exported", Number(process.hrtime.bigint() - exportStart) / 1e9));
} finally {
  await server?.stop();
  try {
    asPostgres("pg_ctl", ["-D", join(work, "data"), "-m", "fast", "-w", "stop"]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
