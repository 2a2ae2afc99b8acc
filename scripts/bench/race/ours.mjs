// This project's server for the race, pluggable: by default the deployable bundle (wrangler deploy --dry-run) served
// in workerd by scripts/lib/local-server.mjs's startServer (rate-limit bindings off, as `npm run bench` runs it);
// with `--ours-cmd "<shell command>"` any command that serves the project, `{port}` and `{state}` replaced by a free
// port and a fresh state directory (e.g. `npm start` once it takes them). Either way: {url, label, pids(), stop()}.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildBundle, descendants, freePort, startServer } from "../../lib/local-server.mjs";
import { startGroup } from "./processes.mjs";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const health = async (url) => (await fetch(`${url}/vss/health`, { signal: AbortSignal.timeout(2000) })).ok;

/** Starts `npm run bench`'s server: the bundle built into `${work}/bundle`, persisting to `stateDir`. */
async function startDefault({ work, stateDir }) {
  const bundle = buildBundle(`${work}/bundle`);
  const server = await startServer({ bundle, persistTo: stateDir, rateLimits: false });
  return {
    url: server.url,
    label: "the deploy bundle in workerd via Miniflare (startServer, scripts/lib/local-server.mjs), rate-limit bindings off",
    pids: () => [server.pid, ...descendants(server.pid).map((p) => p.pid)],
    output: server.output,
    stop: () => server.stop(),
  };
}

/** Starts our server with its own fresh state under `work`; `command` (--ours-cmd) replaces the default. */
export async function startOurs({ work, command }) {
  const stateDir = `${work}/ours-state`;
  mkdirSync(stateDir, { recursive: true });
  if (!command) return startDefault({ work, stateDir });
  const port = await freePort();
  const line = command.replaceAll("{port}", String(port)).replaceAll("{state}", stateDir);
  const server = await startGroup({ command: "sh", args: ["-c", line], cwd: ROOT, url: `http://127.0.0.1:${port}`, ready: health, name: "--ours-cmd", readyTimeoutMs: 120_000 });
  return { ...server, label: `--ours-cmd ${JSON.stringify(command)}` };
}
