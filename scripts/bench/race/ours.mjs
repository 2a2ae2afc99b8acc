// This project's servers for the race, pluggable. By default the deployable bundle (wrangler deploy --dry-run), built
// once per run, served by scripts/lib/local-server.mjs's startServer with npm start's runner (scripts/start.mjs:
// workerd, nothing in front), rate-limit bindings off as `npm run bench` runs it; with `--ours-cmd "<shell command>"`
// any command that serves the project, `{port}` and `{state}` replaced by a free port and a fresh state directory.
// startMiniflare: the same bundle hosted by Miniflare (scripts/lib/serve.mjs), the race's host comparison.
// Each resolves to {url, label, pids(), stop()}.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildBundle, descendants, freePort, startServer } from "../../lib/local-server.mjs";
import { startGroup } from "./processes.mjs";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const health = async (url) => (await fetch(`${url}/vss/health`, { signal: AbortSignal.timeout(2000) })).ok;
const LABELS = {
  workerd: "npm start's runner (scripts/start.mjs): the deploy bundle in workerd, no proxy in front, rate-limit bindings off",
  miniflare: "the same deploy bundle hosted by Miniflare (scripts/lib/serve.mjs: Miniflare's entry Worker in front of ours), rate-limit bindings off",
};

const bundles = new Map(); // work directory → the bundle built there: npm start and Miniflare serve the same bytes
const bundleIn = (work) => bundles.get(work) ?? bundles.set(work, buildBundle(`${work}/bundle`)).get(work);

/** Serves the bundle built under `work` with `host` ("workerd" or "miniflare"), persisting to its own fresh state. */
async function startHosted({ work, host }) {
  const stateDir = `${work}/${host === "miniflare" ? "miniflare" : "ours"}-state`;
  mkdirSync(stateDir, { recursive: true });
  const server = await startServer({ bundle: bundleIn(work), persistTo: stateDir, rateLimits: false, host });
  return {
    url: server.url,
    label: LABELS[host],
    pids: () => [server.pid, ...descendants(server.pid).map((p) => p.pid)],
    output: server.output,
    stop: () => server.stop(),
  };
}

/** Starts our server with its own fresh state under `work`; `command` (--ours-cmd) replaces the default. */
export async function startOurs({ work, command }) {
  if (!command) return startHosted({ work, host: "workerd" });
  const stateDir = `${work}/ours-state`;
  mkdirSync(stateDir, { recursive: true });
  const port = await freePort();
  const line = command.replaceAll("{port}", String(port)).replaceAll("{state}", stateDir);
  const server = await startGroup({ command: "sh", args: ["-c", line], cwd: ROOT, url: `http://127.0.0.1:${port}`, ready: health, name: "--ours-cmd", readyTimeoutMs: 120_000 });
  return { ...server, label: `--ours-cmd ${JSON.stringify(command)}` };
}

/** Starts the same bundle as startOurs's default, hosted by Miniflare, with its own fresh state under `work`. */
export const startMiniflare = ({ work }) => startHosted({ work, host: "miniflare" });
