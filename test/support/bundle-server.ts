import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { freePort } from "./local-server.js";

const QUIET = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "1" };

/** Builds the deployable bundle (`wrangler deploy --dry-run`) into `outdir`. */
export function buildBundle(outdir: string): string {
  const run = spawnSync(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", outdir], { env: QUIET, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${run.stdout}${run.stderr}`);
  return outdir;
}

/**
 * The deployable bundle served by workerd on a free loopback port by `npm start`'s runner (scripts/start.mjs with
 * a prebuilt --bundle: nothing in front), keeping state in `persistTo`, rate limits off.
 */
export class BundleServer {
  #child?: ChildProcess;
  #output = "";
  port = 0;

  constructor(
    readonly bundle: string,
    readonly persistTo: string,
    readonly vars: Record<string, string> = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    this.port = await freePort();
    const args = [join("scripts", "start.mjs"), "--bundle", this.bundle, "--state", this.persistTo, "--port", String(this.port), "--no-rate-limits"];
    for (const [name, value] of Object.entries(this.vars)) args.push("--var", `${name}=${value}`);
    const child = spawn(process.execPath, args, { env: QUIET, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => (this.#output = (this.#output + d.toString()).slice(-20_000)));
    child.stderr?.on("data", (d: Buffer) => (this.#output = (this.#output + d.toString()).slice(-20_000)));
    this.#child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited early:\n${this.#output}`);
      try {
        if ((await fetch(`${this.url}/vss/health`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    await this.stop();
    throw new Error(`server did not answer within ${timeoutMs} ms:\n${this.#output}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
