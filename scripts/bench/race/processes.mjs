// Process plumbing for the race: a server started in its own process group (so that stopping it reaches every
// process below it), waiting until it answers, and the CPU time a set of processes used (from /proc) so that the
// report can say where the time went.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { descendants, killTree } from "../../lib/local-server.mjs";

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux (getconf CLK_TCK)

/**
 * Spawns `command` `args` detached and polls `ready(url)` until it is true; resolves to
 * {url, pid, pids(), output(), stop()} (stop: SIGTERM to the group, SIGKILL after 10 s).
 */
export async function startGroup({ command, args, cwd, env = process.env, url, ready, name, readyTimeoutMs = 60_000 }) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return;
    killTree(child.pid, "SIGTERM");
    const timer = setTimeout(() => killTree(child.pid, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (!running()) throw new Error(`${name} exited early:\n${output}`);
    if (await ready(url).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer in ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { url, pid: child.pid, pids: () => [child.pid, ...descendants(child.pid).map((p) => p.pid)], output: () => output, stop };
}

/** CPU seconds (user + system) each pid has used so far, as a Map pid → seconds; ended processes are left out. */
export function cpuSeconds(pids) {
  const out = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/**
 * Runs fn() and returns [its result, CPU seconds each group spent meanwhile]; `groups` maps a name to a function
 * listing that group's pids (looked up before and after, so processes started meanwhile count from zero).
 */
export async function withCpu(groups, fn) {
  const before = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, cpuSeconds(pids())]));
  const result = await fn();
  const spent = {};
  for (const [name, pids] of Object.entries(groups)) {
    let total = 0;
    for (const [pid, seconds] of cpuSeconds(pids())) total += seconds - (before[name].get(pid) ?? 0);
    spent[name] = total;
  }
  return [result, spent];
}
