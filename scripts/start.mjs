#!/usr/bin/env node
// `npm start`: serves the service the way an operator runs it — the bundle `wrangler deploy` ships, in workerd, the
// runtime Cloudflare runs, with nothing in front (no dev proxy, no file watching). Builds the bundle, writes a
// workerd config (scripts/serve/config.mjs) and runs `workerd serve` in the foreground: its log goes to stdout and
// stderr; SIGINT/SIGTERM stop it gracefully (workerd stops accepting, lets in-flight requests finish, then exits).
// A bad flag, a port in use or a bad configuration is a clear message and a non-zero exit.
//
//   node scripts/start.mjs [--host H] [--port P] [--state DIR] [--var NAME=VALUE]... [--no-rate-limits] [--bundle DIR]
//                          [--inspector HOST:PORT] [--v8-flag FLAG]...
//
// Environment: VSS_HOST, VSS_PORT, VSS_STATE_DIR (the flags win); every other VSS_* variable is handed to the
// Worker (read by workerd from its environment, so secrets are never written to disk). README § Self-hosting.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { workerdConfig } from "./serve/config.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WORKERD = join(ROOT, "node_modules", "workerd", "bin", "workerd");
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
/** Variables of the runner itself, not handed to the Worker. */
const RUNNER_VARIABLES = new Set(["VSS_HOST", "VSS_PORT", "VSS_STATE_DIR"]);
const QUIET = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
const USAGE = "usage: npm start -- [--host H] [--port P] [--state DIR] [--var NAME=VALUE]... [--no-rate-limits] [--bundle DIR] [--inspector HOST:PORT] [--v8-flag FLAG]...";
/**
 * V8 flags given to workerd before the operator's own --v8-flag ones (a later flag wins). A young generation of
 * 2 MiB per semi-space instead of V8's default: when a scavenge finds a request's API objects (headers, requests,
 * responses, RPC promises) dead, workerd frees their C++ side in the same pause, so with the default young
 * generation one scavenge freed ~1 200 requests' objects at once — a ~30 ms stall of the only thread, every ~0.4 s
 * at 32 connections. Smaller scavenges spread that work: measured (BENCHMARKS.md), getObject's p99 at 32
 * connections fell from ~30 to 8–11 ms, throughput the same or higher. 1 MiB did as well for the tail but let the
 * old generation swell (workerd's RSS 470–900 MiB under the same load, against ~230 MiB with 2 MiB).
 */
const DEFAULT_V8_FLAGS = ["--max-semi-space-size=2"];
/**
 * Where SQLite keeps its temporary files when the operator has not said (SQLITE_TMPDIR): each write runs in a
 * nested transaction of its own (a refused write rolls back alone), and SQLite copies every page such a
 * transaction changes into a temporary journal first — files in /var/tmp by default, which took a quarter of
 * workerd's CPU in 10-item puts. They only ever serve to roll back an open transaction, never to recover after a
 * crash (SQLite's log does that), so memory-backed /dev/shm loses nothing: measured, 10-item puts @32 +7–9 %.
 */
const TEMP_DIR = "/dev/shm";

function fail(message, code = 1) {
  console.error(`edge-vss: ${message}`);
  process.exit(code);
}

/** The command line and environment, checked. */
function options(argv, env) {
  const found = { host: env.VSS_HOST || "127.0.0.1", port: env.VSS_PORT || "8787", state: env.VSS_STATE_DIR || ".wrangler/state", vars: {}, rateLimits: true, bundle: null, inspector: null, v8Flags: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : fail(`${arg} needs a value\n${USAGE}`, 2));
    if (arg === "--host") found.host = value();
    else if (arg === "--port") found.port = value();
    else if (arg === "--state") found.state = value();
    else if (arg === "--bundle") found.bundle = value();
    else if (arg === "--inspector") found.inspector = value();
    else if (arg === "--v8-flag") found.v8Flags.push(value());
    else if (arg === "--no-rate-limits") found.rateLimits = false;
    else if (arg === "--var") {
      const [name, ...rest] = value().split("=");
      if (!/^[A-Z][A-Z0-9_]*$/.test(name ?? "") || rest.length === 0) fail(`--var needs NAME=VALUE\n${USAGE}`, 2);
      found.vars[name] = rest.join("=");
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`, 2);
  }
  const port = Number(found.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`the port must be 0 … 65535, got ${JSON.stringify(found.port)}`, 2);
  if (!/^[A-Za-z0-9.:-]+$/.test(found.host)) fail(`the host must be an address or a name, got ${JSON.stringify(found.host)}`, 2);
  return { ...found, port };
}

/** The state directory, created when missing; workerd keeps Durable Objects under v3/do, as wrangler dev does. */
function stateDirectory(path) {
  const root = isAbsolute(path) ? path : resolve(process.cwd(), path);
  const objects = join(root, "v3", "do");
  try {
    mkdirSync(objects, { recursive: true });
    accessSync(objects, constants.R_OK | constants.W_OK);
  } catch (error) {
    fail(`the state directory ${root} is not writable: ${error.message}`);
  }
  return { root, objects };
}

/** The deployable bundle (`wrangler deploy --dry-run`), built into `outdir`. */
function buildBundle(outdir) {
  const run = spawnSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outdir], { cwd: ROOT, env: QUIET, encoding: "utf8" });
  if (run.status !== 0) fail(`building the bundle failed:\n${run.stdout}${run.stderr}`);
  return join(outdir, "index.js");
}

/** Fails clearly when the address cannot be listened on (in use, or not this machine's), before building anything. */
function checkAddress(host, port) {
  return new Promise((resolveCheck) => {
    const probe = createServer();
    probe.once("error", (error) => fail(`cannot listen on ${host}:${port}: ${error.code === "EADDRINUSE" ? "the port is in use" : error.message}`));
    probe.listen(port, host, () => probe.close(resolveCheck));
  });
}

async function main() {
  const opts = options(process.argv.slice(2), process.env);
  if (opts.port !== 0) await checkAddress(opts.host, opts.port);
  const state = stateDirectory(opts.state);
  // The generated config and bundle live in a directory of their own: workerd reads both as it starts, and the
  // directory is removed once it listens (or the runner exits), so nothing is left behind even after a SIGKILL.
  const serveDir = mkdtempSync(join(tmpdir(), "edge-vss-serve-"));
  const cleanUp = () => rmSync(serveDir, { recursive: true, force: true });
  process.on("exit", cleanUp);
  const bundle = opts.bundle ? join(resolve(opts.bundle), "index.js") : buildBundle(join(serveDir, "bundle"));
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
  const vars = { ...workerOptions.bindings, ...opts.vars };
  const fromEnvironment = Object.keys(process.env).filter((name) => name.startsWith("VSS_") && !RUNNER_VARIABLES.has(name) && !(name in opts.vars));
  for (const name of fromEnvironment) delete vars[name];
  const address = opts.host.includes(":") ? `[${opts.host}]:${opts.port}` : `${opts.host}:${opts.port}`;
  const configFile = join(serveDir, "workerd.capnp");
  // workerd resolves `embed` paths relative to the config file.
  const config = workerdConfig({ workerName: "edge-vss", worker: workerOptions, vars, fromEnvironment, bundle: relative(serveDir, bundle), stateDir: state.objects, address, rateLimits: opts.rateLimits, v8Flags: [...DEFAULT_V8_FLAGS, ...opts.v8Flags] });
  writeFileSync(configFile, config, { mode: 0o600 });
  await serve(configFile, opts, state.root, cleanUp);
}

/** workerd's environment: the runner's, with SQLite's temporary files in memory unless the operator chose a place. */
function workerdEnvironment(env) {
  if (env.SQLITE_TMPDIR) return env;
  try {
    accessSync(TEMP_DIR, constants.W_OK);
    return { ...env, SQLITE_TMPDIR: TEMP_DIR };
  } catch {
    return env;
  }
}

/**
 * Runs workerd until it exits or a signal stops it. Once it listens, GET /vss/health tells whether the
 * configuration is good: a 500 there is a configuration error (the log has its ConfigError line), and the runner
 * stops with exit code 1 instead of serving errors.
 */
async function serve(configFile, opts, stateRoot, started) {
  const args = ["serve", configFile, "--control-fd=3", ...(opts.inspector ? [`--inspector-addr=${opts.inspector}`] : [])];
  const child = spawn(WORKERD, args, { stdio: ["ignore", "inherit", "inherit", "pipe"], env: workerdEnvironment(process.env) });
  let stopping = false;
  const exited = new Promise((resolveExit) => child.on("exit", (code, signal) => resolveExit({ code, signal })));
  // Importing wrangler (for the config reader) installs its own SIGINT/SIGTERM handlers, which exit at once and
  // would leave workerd running without its runner: the runner's handlers are the only ones.
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log(`edge-vss: ${signal}: stopping (in-flight requests finish first)`);
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 30_000).unref();
    });
  }
  // However the runner ends, workerd does not outlive it.
  process.on("exit", () => child.exitCode === null && child.signalCode === null && child.kill("SIGTERM"));
  const port = await listeningPort(child, opts.port);
  started();
  if (port !== null) {
    const base = `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}`;
    const health = await fetch(`${base}/vss/health`).then((r) => r.status).catch(() => 0);
    if (health === 500) {
      stopping = true;
      child.kill("SIGTERM");
      await exited;
      fail("the configuration is invalid (the ConfigError line above names the variable); nothing was served");
    }
    console.log(`edge-vss: serving ${base}/vss (state in ${stateRoot}; stop with Ctrl-C or SIGTERM)`);
  }
  const { code, signal } = await exited;
  if (stopping) process.exit(0);
  fail(`workerd exited (${signal ?? `code ${code}`})`, code || 1);
}

/** The port workerd reports on its control descriptor once the socket listens (null if it exits first). */
function listeningPort(child, requested) {
  return new Promise((resolvePort) => {
    let buffer = "";
    child.stdio[3].on("data", (chunk) => {
      buffer += chunk.toString();
      for (const line of buffer.split("\n").slice(0, -1)) {
        try {
          const message = JSON.parse(line);
          if (message.event === "listen" && message.socket === "http") resolvePort(message.port ?? requested);
        } catch {
          // not a control message
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
    });
    child.on("exit", () => resolvePort(null));
  });
}

await main();
