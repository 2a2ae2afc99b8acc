// The service for the interop suite, started exactly as `npm start` starts it (scripts/start.mjs), but on a free
// port, with a temporary state directory and the extra variables the JWT and LNURL scenarios need.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort, killTree } from "../local-server.mjs";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const START = `${ROOT}scripts/start.mjs`;
const READY_TIMEOUT_MS = 120_000;

/** Starts the service and resolves once /vss/health answers 200. */
export async function startService({ persistTo, vars }) {
  const port = await freePort();
  const args = [START, "--port", String(port), "--state", persistTo];
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}=${value}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
  let output = "";
  const collect = (chunk) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const service = {
    port,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killTree(child.pid, "SIGTERM");
      const timer = setTimeout(() => killTree(child.pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited early:\n${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/vss/health`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return service;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await service.stop();
  throw new Error(`the service did not answer within ${READY_TIMEOUT_MS} ms:\n${output}`);
}
