// A throwaway PostgreSQL cluster for the race's reference server: Debian's server binaries (the `postgresql` package
// is installed with apt-get when /usr/lib/postgresql has no pg_ctl, as test/support/postgres.ts does), default
// settings (fsync and synchronous_commit on), a private directory, 127.0.0.1 on a free port, and password
// (scram-sha-256) authentication over TCP for user `postgres`. As root, initdb and pg_ctl run as `postgres`.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendants, freePort } from "../../lib/local-server.mjs";

/** The directory of the newest PostgreSQL server binaries, installing Debian's `postgresql` when there are none. */
export function postgresBin() {
  const find = () => {
    const root = "/usr/lib/postgresql";
    const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "pg_ctl"))) : [];
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    return newest ? join(root, newest, "bin") : null;
  };
  if (find()) return find();
  console.log("race: PostgreSQL is missing: installing Debian's postgresql (apt-get install -y postgresql)");
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "postgresql"]]) {
    const run = spawnSync("apt-get", args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed:\n${run.stdout}${run.stderr}`);
  }
  const installed = find();
  if (!installed) throw new Error("postgresql installed, but no pg_ctl under /usr/lib/postgresql");
  return installed;
}

/**
 * Starts a fresh cluster; resolves to {host, port, user, password, version, pids(), sql(), stop()}. pids() lists the
 * postmaster and every backend below it (for CPU accounting); stop() shuts it down fast and removes its directory.
 */
export async function startPostgres() {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), "vss-race-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (tool, args) => {
    const [command, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]] : [join(bin, tool), args];
    return execFileSync(command, argv, { stdio: "pipe", cwd: dir, encoding: "utf8" });
  };
  const data = join(dir, "data");
  const password = randomBytes(12).toString("hex");
  let started = false;
  const stop = () => {
    try {
      if (started) run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    } catch {
      // already stopped (a terminal's Ctrl-C reaches the postmaster too)
    } finally {
      started = false;
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    if (asRoot) {
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
      chownSync(dir, uid, gid);
      writeFileSync(join(dir, "pw"), `${password}\n`, { mode: 0o600 });
      chownSync(join(dir, "pw"), uid, gid);
    } else writeFileSync(join(dir, "pw"), `${password}\n`, { mode: 0o600 });
    run("initdb", ["-D", data, "-U", "postgres", `--pwfile=${join(dir, "pw")}`, "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C"]);
    const port = await freePort();
    run("pg_ctl", ["-D", data, "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`, "-l", join(dir, "log"), "-w", "start"]);
    started = true;
    const postmaster = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    const version = execFileSync(join(bin, "postgres"), ["--version"], { encoding: "utf8" }).trim();
    return {
      host: "127.0.0.1",
      port,
      user: "postgres",
      password,
      version,
      pids: () => [postmaster, ...descendants(postmaster).map((p) => p.pid)],
      /** Runs `statement` in database `db` with psql over the cluster's private socket; its unaligned output. */
      sql: (statement, db = "postgres") => run("psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-d", db, "-X", "-A", "-t", "-c", statement]).trim(),
      log: () => (existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8").slice(-4000) : ""),
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
