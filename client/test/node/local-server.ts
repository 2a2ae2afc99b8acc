import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How long wrangler dev may take to answer its health check. */
const STARTUP_TIMEOUT_MS = 90_000;
const POLL_INTERVAL_MS = 250;
const SHUTDOWN_GRACE_MS = 5_000;

/** A port the OS says is free right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The real server under `wrangler dev`, with its own state directory, and how to stop it. */
export interface LocalServer {
  baseUrl: string;
  stop(): Promise<void>;
  log(): string;
}

/** Starts `wrangler dev` in its own process group and waits (bounded) until /vss/health answers 200. */
export async function startLocalServer(): Promise<LocalServer> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "vss-cli-e2e-"));
  let output = "";
  const child: ChildProcess = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state], {
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {}
      }, SHUTDOWN_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(state, { recursive: true, force: true });
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const health = await fetch(`${origin}/vss/health`, { signal: AbortSignal.timeout(2_000) });
      if (health.status === 200) return { baseUrl: `${origin}/vss`, stop, log: () => output };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  await stop();
  throw new Error(`wrangler dev did not become healthy within ${STARTUP_TIMEOUT_MS} ms:\n${output.slice(-4000)}`);
}

/** Compiles the client and CLI to client/dist (what the `vss` bin runs). */
export function buildClient(): void {
  const build = spawnSync("npx", ["tsc", "-p", "client/tsconfig.build.json"], { encoding: "utf8", timeout: 120_000 });
  if (build.status !== 0) throw new Error(`client build failed:\n${build.stdout}${build.stderr}`);
}
