import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./local-server.js";

/** The directory of Debian's PostgreSQL server binaries, installing the `postgresql` package when missing. */
function postgresBin(): string {
  const find = () => {
    const root = "/usr/lib/postgresql";
    const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "pg_ctl"))) : [];
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    return newest ? join(root, newest, "bin") : null;
  };
  const found = find();
  if (found) return found;
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "postgresql"]]) {
    const run = spawnSync("apt-get", args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed:\n${run.stdout}${run.stderr}`);
  }
  const installed = find();
  if (!installed) throw new Error("postgresql installed, but no pg_ctl under /usr/lib/postgresql");
  return installed;
}

/**
 * A real PostgreSQL server (Debian's package) in a temporary directory, on a free loopback port, trusting local
 * connections as user `postgres`. initdb refuses to run as root, so as root it runs as the `postgres` account.
 */
export class PostgresServer {
  readonly #dir = mkdtempSync(join(tmpdir(), "vss-pg-"));
  readonly #bin = postgresBin();
  port = 0;

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  #run(tool: string, args: string[]): void {
    const asPostgres = process.getuid?.() === 0;
    const [command, argv] = asPostgres ? ["runuser", ["-u", "postgres", "--", join(this.#bin, tool), ...args]] : [join(this.#bin, tool), args];
    execFileSync(command as string, argv as string[], { stdio: "pipe", cwd: this.#dir });
  }

  async start(): Promise<void> {
    if (process.getuid?.() === 0) {
      const ids = execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim();
      const group = execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim();
      chownSync(this.#dir, Number(ids), Number(group));
    }
    this.port = await freePort();
    const data = join(this.#dir, "data");
    this.#run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"]);
    const options = `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.#run("pg_ctl", ["-D", data, "-o", options, "-l", join(this.#dir, "log"), "-w", "start"]);
  }

  stop(): void {
    try {
      this.#run("pg_ctl", ["-D", join(this.#dir, "data"), "-m", "fast", "-w", "stop"]);
    } finally {
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }
}
