import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalServer as Server } from "../../../test/support/local-server.js";

/** How long the server (npm start's runner, which builds the bundle first) may take to answer its health check. */
const STARTUP_TIMEOUT_MS = 90_000;

/** The real server as `npm start` runs it, with its own state directory, and how to stop it. */
export interface LocalServer {
  baseUrl: string;
  stop(): Promise<void>;
}

/** Starts the server's own test harness (free ports, own process group) with a fresh state directory. */
export async function startLocalServer(): Promise<LocalServer> {
  const state = mkdtempSync(join(tmpdir(), "vss-cli-e2e-"));
  const server = new Server(state);
  const stop = async () => {
    await server.stop();
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await server.start(STARTUP_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl: `${server.url}/vss`, stop };
}

/** Compiles the client and CLI to client/dist (what the `vss` bin runs). */
export function buildClient(): void {
  const build = spawnSync("npx", ["tsc", "-p", "client/tsconfig.build.json"], { encoding: "utf8", timeout: 120_000 });
  if (build.status !== 0) throw new Error(`client build failed:\n${build.stdout}${build.stderr}`);
}
