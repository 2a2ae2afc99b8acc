// Starts the local server for the bench, the crash and hostile tests — the bundle that `wrangler deploy` ships, run
// by `npm start`'s runner (scripts/start.mjs: workerd with nothing in front), or for comparison by Miniflare
// (scripts/lib/serve.mjs) — finds its workerd process, reads its memory, and kills the whole process tree.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WRANGLER = `${ROOT}node_modules/wrangler/bin/wrangler.js`;
const START = `${ROOT}scripts/start.mjs`;
const SERVE_MINIFLARE = `${ROOT}scripts/lib/serve.mjs`;
const QUIET_ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "1" };

/** Builds the deployable bundle into `outdir` (wrangler deploy --dry-run); returns the directory. */
export function buildBundle(outdir) {
  const run = spawnSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outdir], { cwd: ROOT, env: QUIET_ENV, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${run.stdout}\n${run.stderr}`);
  return outdir;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function children() {
  const map = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      map.set(Number(name), { ppid: Number(fields[1]), comm });
    } catch {
      // the process ended while we looked
    }
  }
  return map;
}

/** Every process below `root`, with its command name. */
export function descendants(root) {
  const all = children();
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [pid, info] of all) {
      if (info.ppid === parent) {
        found.push({ pid, comm: info.comm });
        queue.push(pid);
      }
    }
  }
  return found;
}

/** Resident set size in bytes of `pid` (VmRSS) and its peak (VmHWM), from /proc. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/**
 * Serves `bundle` on 127.0.0.1 keeping state in `persistTo`, with extra `vars`; resolves once /vss/health answers.
 * `host`: "workerd" (npm start's runner, the default) or "miniflare" (the bench's comparison). The server runs in
 * its own process group so that kill() reaches the Node runner and workerd below it.
 */
export async function startServer({ bundle, persistTo, vars = {}, rateLimits = true, port, host = "workerd", log = () => {}, readyTimeoutMs = 60_000 }) {
  port ??= await freePort();
  const args = host === "miniflare" ? [SERVE_MINIFLARE, "--bundle", bundle, "--persist", persistTo, "--port", String(port)] : [START, "--bundle", bundle, "--state", persistTo, "--port", String(port)];
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}=${value}`);
  if (!rateLimits) args.push("--no-rate-limits");
  const child = spawn(process.execPath, args, { cwd: ROOT, env: QUIET_ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
    log(chunk.toString());
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited early:\n${output}`);
    try {
      const response = await fetch(`${url}/vss/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killTree(child.pid, "SIGKILL");
      throw new Error(`the server did not become ready in ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    pid: child.pid,
    exited,
    output: () => output,
    /** The workerd processes below the runner (one). */
    workerdPids: () => descendants(child.pid).filter((p) => p.comm === "workerd").map((p) => p.pid),
    async stop(signal = "SIGTERM") {
      killTree(child.pid, signal);
      const timer = setTimeout(() => killTree(child.pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Signals the process group of `pid` and, in case some process left the group, every descendant (`below`: listed beforehand, for a kill that must land at once). */
export function killTree(pid, signal, below = descendants(pid)) {
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
  for (const { pid: p } of below) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}
