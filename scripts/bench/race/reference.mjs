// The reference VSS server (lightningdevkit/vss-server, Rust) for the race: extracts a source tarball into a cache
// outside the repo (~/.cache/edge-vss/vss-server/<commit>/), builds it once with `cargo build --release --locked`
// (the lockfile pins a crate crates.io has since yanked, so --locked is required) and runs the binary against a
// PostgreSQL cluster, every setting from the environment, with warn-level logging (its debug default logs every SQL
// statement and ruins timing). Nothing of the reference's code enters this repository.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { freePort } from "../../lib/local-server.mjs";
import { startGroup } from "./processes.mjs";

function cargo() {
  const onPath = spawnSync("sh", ["-c", "command -v cargo"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return onPath;
  for (const candidate of [join(homedir(), ".cargo/bin/cargo"), "/root/.cargo/bin/cargo"]) if (existsSync(candidate)) return candidate;
  throw new Error("cargo not found (install Rust with rustup); the reference server is built from source");
}

/** The commit a tarball holds, from its name (vss-server-<commit>.tar.gz), else the first 12 hex digits of its hash. */
export function tarballId(tarball) {
  const named = /-([0-9a-f]{7,40})\.tar\.gz$/.exec(basename(tarball));
  return named ? named[1] : createHash("sha256").update(readFileSync(tarball)).digest("hex").slice(0, 12);
}

/** The path of the built vss-server binary, building it from `tarball` unless the cache already holds it. */
export function ensureReference(tarball) {
  if (!existsSync(tarball)) throw new Error(`reference tarball not found: ${tarball} (pass --reference PATH)`);
  const id = tarballId(tarball);
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "edge-vss", "vss-server", id);
  const rust = join(cache, "src", "rust");
  const binary = join(rust, "target", "release", "vss-server");
  if (existsSync(binary)) return { binary, id, cache, built: false };
  console.log(`race: building the reference server ${id} in ${cache} (cargo build --release --locked, about a minute)`);
  rmSync(join(cache, "src"), { recursive: true, force: true });
  mkdirSync(join(cache, "src"), { recursive: true });
  const untar = spawnSync("tar", ["xzf", tarball, "-C", join(cache, "src"), "--strip-components=1"], { encoding: "utf8" });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  const build = spawnSync(cargo(), ["build", "--release", "--locked", "-p", "vss-server"], { cwd: rust, encoding: "utf8", maxBuffer: 64 << 20 });
  if (build.status !== 0 || !existsSync(binary)) throw new Error(`cargo build failed:\n${build.stderr.slice(-6000)}`);
  return { binary, id, cache, built: true };
}

/**
 * Runs `binary` on 127.0.0.1 against the cluster `pg` (a startPostgres() result) with its state and log in
 * `stateDir`; resolves once it answers HTTP, to startGroup's {url, pid, pids(), output(), stop()}.
 */
export async function startReference({ binary, pg, stateDir, port, readyTimeoutMs = 60_000 }) {
  port ??= await freePort();
  mkdirSync(stateDir, { recursive: true });
  const config = join(binary, "..", "..", "..", "server", "vss-server-config.toml");
  const env = {
    ...process.env,
    VSS_BIND_ADDRESS: `127.0.0.1:${port}`,
    VSS_PSQL_USERNAME: pg.user,
    VSS_PSQL_PASSWORD: pg.password,
    VSS_PSQL_ADDRESS: `${pg.host}:${pg.port}`,
    VSS_PSQL_DEFAULT_DB: "postgres",
    VSS_PSQL_VSS_DB: "vss",
    VSS_LOG_LEVEL: "warn",
    VSS_LOG_FILE: join(stateDir, "vss.log"),
  };
  // No /health route: any HTTP answer (401 without an authorization header) means it listens.
  const ready = async (url) => Boolean(await fetch(`${url}/vss/getObject`, { method: "POST", body: "", signal: AbortSignal.timeout(2000) }));
  return startGroup({ command: binary, args: [config], cwd: stateDir, env, url: `http://127.0.0.1:${port}`, ready, name: "vss-server", readyTimeoutMs });
}
