import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** The processes of process group `group` still in the process table ("pid comm state", from /proc). */
function groupMembers(group: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const [state, , pgrp] = stat.slice(close + 2).split(" ");
      if (Number(pgrp) === group) found.push(`${entry} ${stat.slice(stat.indexOf("(") + 1, close)} ${state}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * The real local server exactly as `npm start` runs it (scripts/start.mjs: it builds the bundle and serves it in
 * workerd) on a free port, keeping state in `persistTo`.
 */
export class LocalServer {
  #child?: ChildProcess;
  #output = "";
  port = 0;
  /** How the last run ended: its exit code, or the signal that ended it. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  /** Whether the last stop found processes of the group (workerd) still running 1 s after the runner had exited. */
  leftBehind = false;
  /** What it found ("pid comm state"). */
  leftBehindProcesses: string[] = [];

  constructor(
    readonly persistTo: string,
    readonly vars: Record<string, string> = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server (stopping a running one first) and resolves once GET /vss/health answers 200 (at most `timeoutMs`). */
  async start(timeoutMs = 60_000): Promise<void> {
    await this.stop();
    this.port = await freePort();
    const args = ["scripts/start.mjs", "--host", "127.0.0.1", "--port", String(this.port), "--state", this.persistTo];
    for (const [name, value] of Object.entries(this.vars)) args.push("--var", `${name}=${value}`);
    this.#output = "";
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" },
    });
    this.exit = null;
    child.once("exit", (code, signal) => (this.exit = { code, signal }));
    child.stdout?.on("data", (d: Buffer) => (this.#output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (this.#output += d.toString()));
    this.#child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`local server exited early:\n${this.#output}`);
      try {
        const response = await fetch(`${this.url}/vss/health`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    await this.stop();
    throw new Error(`local server did not answer within ${timeoutMs} ms:\n${this.#output}`);
  }

  /** What the server printed so far. */
  get output(): string {
    return this.#output;
  }

  /**
   * Sends `signal` to the whole process group (the runner and workerd, as a terminal's Ctrl-C does) or, with
   * `runnerOnly`, to the runner alone (as systemd or a container runtime does); waits for the runner to exit, then
   * kills whatever of the group is left.
   */
  async stop(signal: NodeJS.Signals = "SIGTERM", runnerOnly = false): Promise<void> {
    const child = this.#child;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(runnerOnly ? child.pid : -child.pid, signal);
    } catch {
      return;
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    // A process that was already exiting when the runner did (being reaped) is given a moment; one still there
    // after it is left behind.
    let left = groupMembers(child.pid);
    for (const until = Date.now() + 1000; left.length > 0 && Date.now() < until; left = groupMembers(child.pid)) await new Promise((r) => setTimeout(r, 50));
    this.leftBehind = left.length > 0;
    this.leftBehindProcesses = left;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    this.#child = undefined;
  }
}
