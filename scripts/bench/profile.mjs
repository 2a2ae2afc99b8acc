#!/usr/bin/env node
// `npm run bench:profile -- ROW`: where the slowest requests of one race workload wait. Serves the deploy bundle as
// `npm start` does (fresh state, rate limits off), seeds it like the race, drives ROW (a race workload id: get@32,
// put@1, put10@32, …) with the race's keep-alive Node client for --seconds, and meanwhile records workerd with
// `perf record -g` on the monotonic clock — the clock of the client's request times — so that every sample can be
// placed in or out of the windows in which the slowest 1 % of requests waited. Prints the latency percentiles,
// workerd's peak RSS, and what workerd's threads were doing in those windows against the whole run (garbage
// collection, SQLite, JavaScript, the runtime's I/O). How BENCHMARKS.md found the scavenger stalls at 32 connections.
//
//   node scripts/bench/profile.mjs ROW [--seconds N] [--v8-flag FLAG]... [--keep]
//
// Needs `perf` (Debian's linux-perf) and permission to trace (root, or kernel.perf_event_paranoid ≤ 1); without it,
// only the latencies and memory are printed. --v8-flag goes after npm start's default flags; --keep leaves the
// work directory (perf.data, the client's times) for a closer look.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendants, memoryOf } from "../lib/local-server.mjs";
import { keepAlive, percentile, post } from "./race/node-client.mjs";
import { startOurs } from "./race/ours.mjs";
import { identities, seed, workloads } from "./race/workloads.mjs";
import { categorize, slowWindows } from "./profile-samples.mjs";

const args = process.argv.slice(2);
const rowId = args[0];
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const seconds = Number(option("--seconds", "10"));
const v8Flags = args.flatMap((arg, i) => (arg === "--v8-flag" ? [args[i + 1]] : []));
const ids = identities();
const row = workloads(ids).find((r) => r.id === rowId);
if (!row || !row.spec.make) {
  const known = workloads(ids).filter((r) => r.spec.make).map((r) => r.id);
  console.error(`usage: node scripts/bench/profile.mjs ROW [--seconds N] [--v8-flag FLAG]... [--keep]; ROW: ${known.join(", ")}`);
  process.exit(2);
}

const hasPerf = spawnSync("perf", ["--version"]).status === 0;
const work = mkdtempSync(join(tmpdir(), "edge-vss-profile-"));
const flags = v8Flags.map((flag) => `--v8-flag ${flag}`).join(" ");
const server = await startOurs({
  work,
  command: flags ? `node scripts/start.mjs --state {state} --port {port} --no-rate-limits ${flags}` : undefined,
});
try {
  await seed(server.url, ids);
  const workerd = descendants(server.pids()[0]).filter((p) => p.comm === "workerd");
  const perf = hasPerf && workerd.length > 0 ? spawn("perf", ["record", "-q", "-k", "mono", "-F", "1999", "-g", "-o", `${work}/perf.data`, "-p", workerd.map((p) => p.pid).join(",")], { stdio: "ignore" }) : null;
  if (perf) await new Promise((resolve) => setTimeout(resolve, 500));
  let rss = 0;
  const sampler = setInterval(() => workerd.forEach((p) => (rss = Math.max(rss, memoryOf(p.pid).rss))), 250);
  const times = await drive(server.url, row, seconds);
  clearInterval(sampler);
  if (perf) {
    perf.kill("SIGINT");
    await new Promise((resolve) => perf.on("exit", resolve));
  }
  const latencies = Float64Array.from(times.map(([start, end]) => end - start)).sort();
  const at = (p) => percentile(latencies, p).toFixed(2);
  console.log(`${row.id}: ${times.length} requests in ${seconds} s; p50 ${at(50)} ms, p99 ${at(99)} ms, p99.9 ${at(99.9)} ms, max ${at(100)} ms; workerd RSS peak ${(rss / 2 ** 20).toFixed(0)} MiB`);
  if (perf) report(work, times, latencies);
  else console.log("(no perf here, or no permission to trace: only the latencies above)");
} finally {
  await server.stop();
  if (args.includes("--keep")) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

/** The row's requests from `row.conns` loops for `seconds`: each one's [start, end] on the monotonic clock, in ms. */
async function drive(url, workload, duration) {
  const agent = keepAlive(workload.conns);
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const times = [];
  let stamp = 5_000_000;
  const deadline = now() + duration * 1000;
  try {
    await Promise.all(
      Array.from({ length: workload.conns }, async () => {
        while (now() < deadline) {
          const [path, authorization, body] = workload.spec.make(stamp++);
          const start = now();
          const answer = await post(agent, url, path, authorization, body);
          if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`);
          times.push([start, now()]);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return times;
}

/** What workerd did while the slowest 1 % waited, against the whole run, by thread and kind of work. */
function report(dir, times, latencies) {
  const script = spawnSync("perf", ["script", "-i", `${dir}/perf.data`, "-F", "comm,tid,time,ip,sym"], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (script.status !== 0 || !script.stdout) {
    console.log(`(perf recorded nothing readable — no permission to trace?) ${(script.stderr ?? "").trim().split("\n")[0] ?? ""}`);
    return;
  }
  const windows = slowWindows(times, percentile(latencies, 99));
  const { inside, all } = categorize(script.stdout, windows);
  const table = (counts) => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0) || 1;
    return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, n]) => `  ${((100 * n) / total).toFixed(1).padStart(5)} %  ${k}`).join("\n");
  };
  console.log(`slowest 1 %: ${windows.length} windows in which all of them were waiting, ${windows.reduce((a, [s, e]) => a + e - s, 0).toFixed(0)} ms in all`);
  console.log(`workerd's samples in those windows:\n${table(inside)}\nover the whole run:\n${table(all)}`);
}
