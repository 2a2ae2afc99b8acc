#!/usr/bin/env node
// `npm run bench:race`: races this project against the reference VSS server (Rust vss-server + PostgreSQL) on
// 127.0.0.1 — the same sigs-signed requests to both, each server with its own fresh state, workloads in interleaved
// rounds (ref then ours, then ours then ref, …), medians reported. Throughput from wrk and from a Node keep-alive
// client; tail latency from the Node client (wrk's p99 against workerd is inflated here), wrk's beside it.
// Writes .bench-results/race.json and the race section of BENCHMARKS.md; stops everything it started.
// Ours is npm start's runner (scripts/start.mjs: the deploy bundle in workerd, nothing in front); a third contestant,
// the same bundle hosted by Miniflare, runs on four rows only (hosts.mjs) and is reported in a table of its own.
// Options: --reference TARBALL (default ../shared/anchors/vss-server-f446355.tar.gz from the repo root),
// --ours-cmd "<shell command with {port} and {state}>" (then no Miniflare: it would not be the same bundle),
// --no-miniflare, --rounds N (3), --only id,id (e.g. get@32,restore; a partial run leaves BENCHMARKS.md alone).
// Environment: BENCH_SECONDS (per measurement and client, default 5).
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { ensureWrk, sh } from "../wrk.mjs";
import { startPostgres } from "./postgres.mjs";
import { ensureReference, startReference } from "./reference.mjs";
import { startMiniflare, startOurs } from "./ours.mjs";
import { HOST_ROWS, hostSummary, hostTable } from "./hosts.mjs";
import { withCpu } from "./processes.mjs";
import { identities, prepare, restore, runNode, runWrk, sanity, seed, workloads } from "./workloads.mjs";
import { HEADING, summarize, tables, targets, writeSection } from "./report.mjs";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const { values: opts } = parseArgs({
  options: {
    reference: { type: "string", default: resolve(ROOT, "../shared/anchors/vss-server-f446355.tar.gz") },
    "ours-cmd": { type: "string" },
    rounds: { type: "string", default: "3" },
    only: { type: "string" },
    "no-miniflare": { type: "boolean", default: false },
  },
});
const ROUNDS = Number(opts.rounds);
const only = opts.only ? new Set(opts.only.split(",")) : null;

// Everything started is stopped in reverse order, on success, failure, SIGINT and SIGTERM.
const cleanups = [];
let cleaning;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await Promise.resolve().then(step).catch((e) => console.error(`race: cleanup: ${e.message}`));
  })());
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.error(`race: ${signal}: stopping the servers`);
    cleanup().finally(() => process.exit(130));
  });
}

const log = (line) => console.log(`race: ${line}`);
const stallNote = (s) => (s ? `; slowest 1 %: ${(s.tailGapShare * 100).toFixed(0)} % of the wait answer-free, ${(s.tailServedShare * 100).toFixed(0)} % of the usual answers meanwhile, ${s.tailLoops} loops; longest gap ${s.longestGapMs.toFixed(1)} ms` : "");
const fmt = (m) => `${m.rps.toFixed(0)} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m.bad ? `, ${m.bad} NOT 200` : ""}`;

/**
 * ANALYZE the reference's database after seeding, as autovacuum does within a minute on a live server: with the
 * statistics of an empty table the planner reads a key through the sort_order index, filtering the whole store
 * (milliseconds a getObject in the 10 000-key store). Returns getObject's plan before and after, for the record.
 */
function analyze(pg) {
  const token = pg.sql("SELECT user_token FROM vss_db WHERE store_id = 'restore' LIMIT 1", "vss");
  const plan = () => pg.sql(`EXPLAIN SELECT key, value, version FROM vss_db WHERE user_token = '${token}' AND store_id = 'restore' AND key = 'r-00042'`, "vss").split("\n")[0];
  const before = plan();
  pg.sql("ANALYZE", "vss");
  return { before, after: plan() };
}

async function race() {
  const began = performance.now();
  const loadBefore = loadavg();
  ensureWrk();
  const reference = ensureReference(resolve(opts.reference));
  const work = mkdtempSync(`${tmpdir()}/vss-race-`);
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));

  log(`starting PostgreSQL and vss-server ${reference.id} (${reference.built ? "just built" : "cached build"}: ${reference.binary})`);
  const pg = await startPostgres();
  cleanups.push(() => pg.stop());
  const refServer = await startReference({ binary: reference.binary, pg, stateDir: `${work}/ref-state` });
  cleanups.push(() => refServer.stop());
  log("starting our server");
  const oursServer = await startOurs({ work, command: opts["ours-cmd"] });
  cleanups.push(() => oursServer.stop());

  const servers = [
    { name: "ref", url: refServer.url, groups: { "vss-server": refServer.pids, postgres: pg.pids }, afterSeed: () => analyze(pg) },
    { name: "ours", url: oursServer.url, groups: { server: oursServer.pids } },
  ];
  const ids = identities();
  const rows = workloads(ids).filter((row) => !only || only.has(row.id) || only.has(row.spec.key));
  const doRestore = !only || only.has("restore");
  let miniflare = null;
  if (opts["no-miniflare"]) log("--no-miniflare: no host comparison");
  else if (opts["ours-cmd"]) log("--ours-cmd: no host comparison (Miniflare would not serve the same bundle)");
  else if (rows.some((row) => HOST_ROWS.has(row.id))) {
    log("starting the same bundle hosted by Miniflare (host comparison)");
    miniflare = await startMiniflare({ work });
    cleanups.push(() => miniflare.stop());
    servers.push({ name: "miniflare", url: miniflare.url, groups: { server: miniflare.pids }, rows: HOST_ROWS });
  }
  const runs = (server, row) => !server.rows || server.rows.has(row.id); // Miniflare: its four rows only
  for (const server of servers) {
    const mine = rows.filter((row) => runs(server, row));
    server.host = server.url.replace("http://", "");
    server.dir = `${work}/requests-${server.name}`;
    mkdirSync(server.dir);
    log(`${server.name}: seeding (1 KiB value, 100-key store, 10 000-key restore store) and checking every workload answers 200`);
    await seed(server.url, ids);
    if (server.afterSeed) server.plans = server.afterSeed();
    prepare(server, ids, mine);
    await sanity(server, ids, mine);
  }

  const entry = (r) => ({ name: r.name, conns: r.conns, ref: [], ours: [], ...(miniflare && HOST_ROWS.has(r.id) ? { miniflare: [] } : {}) });
  const results = { rows: Object.fromEntries(rows.map((r) => [r.id, entry(r)])), restore: { ref: [], ours: [] }, load: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    results.load.push(loadavg());
    log(`round ${round + 1} of ${ROUNDS} (${order.map((s) => s.name).join(", ")} for each workload); load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    for (const row of rows) {
      for (const server of order.filter((s) => runs(s, row))) {
        runWrk(server, row, row.warmup);
        const [w, cpuWrk] = await withCpu(server.groups, () => runWrk(server, row, SECONDS));
        const [n, cpuNode] = await withCpu(server.groups, () => runNode(server, row, SECONDS));
        results.rows[row.id][server.name].push({ wrk: w, node: n, cpuWrk, cpuNode });
        log(`  ${server.name.padEnd(9)} ${row.name} @${row.conns}: wrk ${fmt(w)} | node ${fmt(n)}${n.firstBad ? ` (${n.firstBad})` : ""}${stallNote(n.stalls)}`);
      }
    }
    if (doRestore) {
      for (const server of order.filter((s) => s.name in results.restore)) {
        const [r, cpu] = await withCpu(server.groups, () => restore(server, ids));
        results.restore[server.name].push({ ...r, cpu });
        log(`  ${server.name.padEnd(9)} restore of 10 000 keys: ${r.seconds.toFixed(2)} s (list ${r.listSeconds.toFixed(2)} s in ${r.pages} pages, gets ${r.getSeconds.toFixed(2)} s)`);
      }
    }
  }
  const loadAfter = loadavg();
  const pkg = (name) => JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, "utf8")).version;
  const cpu = cpus();
  const meta = {
    date: new Date().toISOString(),
    durationSeconds: (performance.now() - began) / 1000,
    seconds: SECONDS,
    rounds: ROUNDS,
    only: opts.only ?? null,
    machine: `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}`,
    loadBefore,
    loadAfter,
    reference: { getObjectPlan: servers[0].plans, commit: reference.id, tarball: resolve(opts.reference), rustc: sh("sh", ["-c", `PATH="$PATH:$HOME/.cargo/bin" rustc --version`]) ?? "unknown", postgres: pg.version },
    ours: { server: oursServer.label, miniflareHost: miniflare?.label ?? null, workerd: sh(`${ROOT}node_modules/@cloudflare/workerd-linux-64/bin/workerd`, ["--version"]) ?? "unknown", wrangler: pkg("wrangler"), miniflare: pkg("miniflare") },
    clients: { wrk: (sh("sh", ["-c", "wrk --version 2>&1"]) ?? "").split(" Copyright")[0].split("\n")[0], node: process.version },
  };
  return { meta, results };
}

function section({ meta }, summary) {
  const t = tables(summary);
  const hosts = hostTable(summary.hosts);
  const load = (l) => l.map((v) => v.toFixed(2)).join(" / ");
  return [
    HEADING,
    "",
    "Generated by `npm run bench:race` (scripts/bench/race/main.mjs); only this section is rewritten by it.",
    "",
    `- Date: ${meta.date}; the whole run took ${(meta.durationSeconds / 60).toFixed(1)} min`,
    `- Machine: ${meta.machine}; load average (1 / 5 / 15 min) before ${load(meta.loadBefore)}, after ${load(meta.loadAfter)} — shared and noisy, so only same-run ratios mean much`,
    `- Reference: vss-server ${meta.reference.commit} (\`cargo build --release --locked\`, ${meta.reference.rustc}), sigs auth, VSS_LOG_LEVEL=warn; ${meta.reference.postgres}, a throwaway cluster with default settings (fsync and synchronous_commit on), password auth over TCP`,
    `- Ours: ${meta.ours.server}; workerd ${meta.ours.workerd.replace(/^workerd /, "")}, wrangler ${meta.ours.wrangler}, miniflare ${meta.ours.miniflare}`,
    `- Clients: ${meta.clients.wrk || "wrk"}, one thread, scripts/bench/requests.lua and conditional.lua; Node ${meta.clients.node} \`http\` with a keep-alive Agent (maxSockets = conns), conns loops each sending its next request when the last is answered, as reqwest and bitreq do`,
    "",
    `Method: both servers on 127.0.0.1, each with its own fresh state, seeded alike; every request sigs-signed (one of 32`,
    `pre-signed header values per identity, one a second as a wallet signs; the reference verifies each, ours caches).`,
    `Before timing, a value is read back byte-exact from each server and one request of every workload answers 200.`,
    `The reference's database is ANALYZEd after seeding, as autovacuum would soon do on a live server (before it, its`,
    `getObject in the 10 000-key store scans the store through the sort_order index; plans in race.json).`,
    `${meta.rounds} interleaved rounds; in each, every workload runs on one server and then the other (ref first in odd`,
    `rounds, ours first in even ones): wrk 1 s warm-up (5 s for the 64 wallets), wrk ${meta.seconds} s, then the Node client 1 s`,
    `warm-up and ${meta.seconds} s. Figures are medians over the rounds; ratios are ours ÷ ref. **Throughput** is wrk's (and the Node`,
    `client's); **p50 / p99** come from the Node client; wrk's p99 is shown for comparison only. Put values are stamped,`,
    `so every write stores new bytes (wrk's conditional.lua is the exception: same bytes at a new version). Conditional`,
    `puts: wrk cycles 64 keys at 1 connection and 4 000 at 32 (a key's previous version answered before its next write),`,
    `the Node client gives each connection 16 keys of its own. CPU per request comes from /proc over the wrk run.`,
    "",
    ...t.main,
    "",
    ...t.cpu,
    "",
    ...(t.restore.length ? [...t.restore, ""] : []),
    ...t.goals,
    "",
    ...(hosts.length ? [...hosts, ""] : []),
  ].join("\n");
}

try {
  const run = await race();
  const summary = { ...summarize(run.results), hosts: hostSummary(run.results) };
  const text = section(run, summary);
  console.log(`\n${text}`);
  mkdirSync(`${ROOT}.bench-results`, { recursive: true });
  writeFileSync(`${ROOT}.bench-results/race.json`, JSON.stringify({ ...run, summary, targets: targets(summary) }, null, 2));
  log("wrote .bench-results/race.json");
  if (only) log("a partial run (--only): BENCHMARKS.md left as it was");
  else {
    writeSection(`${ROOT}BENCHMARKS.md`, text);
    log(`wrote the "${HEADING.slice(3)}" section of BENCHMARKS.md`);
  }
  await cleanup();
  const bad = Object.values(summary.rows).reduce((n, r) => n + r.ref.bad + r.ours.bad, 0) + Object.values(summary.hosts?.rows ?? {}).reduce((n, r) => n + r.miniflare.bad, 0);
  if (bad > 0) console.log(`WARNING: ${bad} requests were not answered 200 — those rows do not measure what they claim.`);
  process.exit(bad > 0 ? 1 : 0);
} catch (error) {
  console.error(`race failed: ${error.stack ?? error}`);
  await cleanup();
  process.exit(1);
}
