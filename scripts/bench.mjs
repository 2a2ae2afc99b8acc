#!/usr/bin/env node
// `npm run bench`: the service's throughput and latency under wrk, every figure as a ratio to floors measured in the
// same run (the machine is shared and noisy; absolute numbers are not comparable across runs, ratios are).
// Serves the deployable bundle in workerd on 127.0.0.1 with sigs auth on; prints one table; writes BENCHMARKS.md.
// Environment: BENCH_SECONDS (per measurement, default 5), BENCH_OUT (default BENCHMARKS.md).
import { cpus, totalmem, release, tmpdir } from "node:os";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { measureMultiDevice, multiDeviceReport } from "./bench/multidevice.mjs";
import { historyReport, measureHistory } from "./bench/history.mjs";
import { ensureWrk, headerPool, requestFile, sh, stamped, wrk } from "./bench/wrk.mjs";
import { buildBundle, memoryOf, startServer } from "./lib/local-server.mjs";
import {
  SigsKey,
  decodeGetObject,
  decodeList,
  getObjectRequest,
  listKeyVersionsRequest,
  putObjectRequest,
} from "./lib/vss-wire.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const OUT = process.env.BENCH_OUT ?? `${ROOT}BENCHMARKS.md`;
const HEADER_POOL = 32; // pre-signed sigs values per identity: one per second over the last 32 s
const UNCACHED_POOL = 6000; // more distinct values than the server's verified-header cache (4096) holds
const CONDITIONAL_KEYS = 4000; // rounds of conditional updates are seconds apart, far beyond any request's latency
const KIB = 1024;
const MIB = 1024 * KIB;
const BIG = 16 * MIB;

async function call(url, path, authorization, body, attempt = 1) {
  let response;
  try {
    response = await fetch(url + path, { method: "POST", headers: { authorization, "content-type": "application/octet-stream" }, body });
  } catch (error) {
    // A kept-alive connection the server closed meanwhile fails the write (EPIPE); every call here is idempotent.
    if (attempt < 3) return call(url, path, authorization, body, attempt + 1);
    throw error;
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${bytes.subarray(0, 200).toString("latin1")}`);
  return bytes;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Times `times` sequential runs of fn, sampling the server's RSS meanwhile; returns median seconds and peak RSS. */
async function timed(times, pids, fn) {
  let peak = 0;
  const sample = () => {
    for (const pid of pids) peak = Math.max(peak, memoryOf(pid).rss);
  };
  const sampler = setInterval(sample, 5);
  const seconds = [];
  try {
    for (let i = 0; i < times; i++) {
      const start = process.hrtime.bigint();
      await fn(i);
      seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
      sample();
    }
  } finally {
    clearInterval(sampler);
  }
  return { seconds: median(seconds), peak };
}

async function main() {
  ensureWrk();
  const work = mkdtempSync(`${tmpdir()}/vss-bench-`);
  console.log(`bench: building the bundle and starting workerd (state in ${work})`);
  const bundle = buildBundle(`${work}/bundle`);
  const server = await startServer({ bundle, persistTo: `${work}/state`, vars: { VSS_BENCH_FLOORS: "true" }, rateLimits: false });
  try {
    return await measure(server, work, bundle);
  } catch (error) {
    console.error(`bench failed; the server's last output:\n${server.output().slice(-4000)}`);
    throw error;
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function measure(server, work, bundle) {
  const { url } = server;
  const host = url.replace("http://", "");
  const owner = new SigsKey();
  const pool = headerPool(owner, HEADER_POOL);
  const auth = (i) => pool[i % pool.length];
  const value1k = Buffer.alloc(KIB, 0x61);

  console.log("bench: seeding stores (1 KiB value, 100-key and 100 000-key stores, 64 writers)");
  await call(url, "/vss/putObjects", auth(0), putObjectRequest("bench", [["get-1k", -1, value1k]]));
  await call(url, "/vss/putObjects", auth(0), putObjectRequest("list-100", Array.from({ length: 100 }, (_, i) => [`key-${i}`, -1, "v"])));
  for (let batch = 0; batch < 100; batch++) {
    const items = Array.from({ length: 1000 }, (_, i) => [`key-${batch * 1000 + i}`, -1, "v"]);
    await call(url, "/vss/putObjects", auth(batch), putObjectRequest("list-100k", items));
  }
  const list100k = decodeList(await call(url, "/vss/listKeyVersions", auth(0), listKeyVersionsRequest("list-100k", { pageSize: 100 })));
  if (list100k.keys.length !== 100 || !list100k.nextPageToken) throw new Error("the 100 000-key store did not page as expected");

  const writers = Array.from({ length: 64 }, () => new SigsKey());
  const writerPools = writers.map((key) => headerPool(key, HEADER_POOL));

  const uncachedKey = new SigsKey();
  const now = Math.floor(Date.now() / 1000);
  console.log(`bench: signing ${UNCACHED_POOL} distinct headers for the uncached-verification rows`);
  const uncached = Array.from({ length: UNCACHED_POOL }, (_, i) => uncachedKey.header(now - 60 - i));
  await call(url, "/vss/putObjects", uncached[0], putObjectRequest("bench", [["get-1k", -1, value1k]]));

  const getBody = getObjectRequest("bench", "get-1k");
  const files = {
    workerFloor: requestFile(work, "worker-floor", host, pool.length, (i) => ["/bench/worker-floor", auth(i), getBody]),
    storeFloor: requestFile(work, "store-floor", host, pool.length, (i) => ["/bench/store-floor", auth(i), getBody]),
    get: requestFile(work, "get", host, pool.length, (i) => ["/vss/getObject", auth(i), getBody]),
    getUncached: requestFile(work, "get-uncached", host, uncached.length, (i) => ["/vss/getObject", uncached[i], getBody]),
    // Keys are fewer than the requests replayed in rotation, so each write changes its key's value.
    put: requestFile(work, "put", host, 1024, (i) => ["/vss/putObjects", auth(i), putObjectRequest("bench", [[`put-${i % 256}`, -1, stamped(value1k, i)]])]),
    put10: requestFile(work, "put10", host, 1024, (i) => [
      "/vss/putObjects",
      auth(i),
      putObjectRequest("bench", Array.from({ length: 10 }, (_, j) => [`multi-${i % 100}-${j}`, -1, stamped(value1k, i)])),
    ]),
    list100: requestFile(work, "list-100", host, pool.length, (i) => ["/vss/listKeyVersions", auth(i), listKeyVersionsRequest("list-100", { pageSize: 100 })]),
    list100k: requestFile(work, "list-100k", host, pool.length, (i) => ["/vss/listKeyVersions", auth(i), listKeyVersionsRequest("list-100k", { pageSize: 100 })]),
    stores64: requestFile(work, "stores-64", host, 64 * 16, (i) => [
      "/vss/putObjects",
      writerPools[i % 64][Math.floor(i / 64) % HEADER_POOL],
      putObjectRequest("bench", [[`put-${Math.floor(i / 64) % 4}`, -1, stamped(value1k, i)]]),
    ]),
  };
  const headersFile = `${work}/headers.txt`;
  writeFileSync(headersFile, pool.join("\n") + "\n");

  const replay = `${ROOT}scripts/bench/requests.lua`;
  const conditional = `${ROOT}scripts/bench/conditional.lua`;
  const scenarios = [
    { id: "workerFloor", name: "floor: Worker only (no auth, no DO)", run: (c, s) => wrk(url, c, s, replay, [files.workerFloor]) },
    { id: "storeFloor", name: "floor: auth + one DO RPC (ping)", run: (c, s) => wrk(url, c, s, replay, [files.storeFloor]) },
    { id: "get", name: "getObject 1 KiB", run: (c, s) => wrk(url, c, s, replay, [files.get]) },
    { id: "getUncached", name: "getObject 1 KiB, every header new (verify)", run: (c, s) => wrk(url, c, s, replay, [files.getUncached]) },
    { id: "put", name: "putObjects 1 item 1 KiB at -1", run: (c, s) => wrk(url, c, s, replay, [files.put]) },
    {
      id: "cond",
      name: "putObjects 1 item 1 KiB, conditional",
      run: (c, s, tag) => wrk(url, c, s, conditional, [`cond-${c}-${tag}`, headersFile, String(CONDITIONAL_KEYS), String(KIB), host]),
    },
    { id: "put10", name: "putObjects 10 items × 1 KiB at -1", run: (c, s) => wrk(url, c, s, replay, [files.put10]) },
    { id: "list100", name: "listKeyVersions 100 keys, 100-key store", run: (c, s) => wrk(url, c, s, replay, [files.list100]) },
    { id: "list100k", name: "listKeyVersions 100 keys, 100 000-key store", run: (c, s) => wrk(url, c, s, replay, [files.list100k]) },
  ];

  const results = {};
  for (const connections of [1, 32]) {
    for (const scenario of scenarios) {
      scenario.run(connections, 1, "warm");
      const r = scenario.run(connections, SECONDS, "measure");
      results[`${scenario.id}@${connections}`] = r;
      console.log(`  ${scenario.name} @${connections}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.bad ? `, ${r.bad} NOT 2xx` : ""}`);
    }
  }
  // 64 cold Durable Objects and 64 × 32 header values to verify once: warm up as long as the measurement itself.
  wrk(url, 64, SECONDS, replay, [files.stores64]);
  results["stores64@64"] = wrk(url, 64, SECONDS, replay, [files.stores64]);
  console.log(`  64 stores @64: ${results["stores64@64"].rps.toFixed(0)} req/s`);

  console.log("bench: 16 MiB values");
  const big = Buffer.alloc(BIG);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  const pids = server.workerdPids();
  const idle = Math.max(...pids.map((pid) => memoryOf(pid).rss));
  const bigPut = putObjectRequest("bench", [["big", -1, big]]);
  const bigGet = getObjectRequest("bench", "big");
  const floorUp = await timed(5, pids, () => call(url, "/bench/worker-floor", auth(0), bigPut));
  const floorDown = await timed(5, pids, () => call(url, `/bench/worker-floor?reply=${bigPut.length}`, auth(0), getBody));
  const put = await timed(5, pids, (i) => call(url, "/vss/putObjects", auth(i), bigPut));
  const get = await timed(5, pids, async (i) => {
    const got = decodeGetObject(await call(url, "/vss/getObject", auth(i), bigGet));
    if (!got.value.equals(big)) throw new Error("16 MiB value came back different");
  });
  const hwm = Math.max(...pids.map((pid) => memoryOf(pid).hwm));
  const bigResults = {
    floorUp: BIG / MIB / floorUp.seconds,
    floorDown: BIG / MIB / floorDown.seconds,
    put: BIG / MIB / put.seconds,
    get: BIG / MIB / get.seconds,
    idle,
    peakPut: put.peak,
    peakGet: get.peak,
    hwm,
  };
  const multiDevice = await measureMultiDevice({
    url,
    call: (path, authorization, body) => call(url, path, authorization, body),
    auth,
    putRps: () => wrk(url, 32, SECONDS, replay, [files.put]).rps,
  });
  console.log("bench: history (values kept vs not, hashing, getHistory over 10 000 revisions)");
  const history = await measureHistory({ main: server, bundle, work, seconds: SECONDS, auth, call, replay, timed });
  return report(results, bigResults, multiDevice, history);
}

const f = (n, digits = 0) => n.toFixed(digits);
const x = (n) => `${n.toFixed(2)}×`;

function report(r, big, multiDevice, history) {
  const rows = [];
  const names = {
    workerFloor: "floor: Worker only (no auth, no DO)",
    storeFloor: "floor: auth + 1 DO RPC (ping)",
    get: "getObject 1 KiB",
    getUncached: "getObject 1 KiB, every header new",
    put: "putObjects 1 × 1 KiB at -1",
    cond: "putObjects 1 × 1 KiB conditional",
    put10: "putObjects 10 × 1 KiB at -1",
    list100: "list 100 keys (100-key store)",
    list100k: "list 100 keys (100 000-key store)",
  };
  rows.push("| Scenario | Conns | req/s | × Worker floor | × DO floor | p50 ms | p50 × DO floor | p99 ms | p99 × DO floor | non-2xx |");
  rows.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const c of [1, 32]) {
    const wf = r[`workerFloor@${c}`];
    const df = r[`storeFloor@${c}`];
    for (const [id, name] of Object.entries(names)) {
      const m = r[`${id}@${c}`];
      rows.push(`| ${name} | ${c} | ${f(m.rps)} | ${x(m.rps / wf.rps)} | ${x(m.rps / df.rps)} | ${f(m.p50, 2)} | ${x(m.p50 / df.p50)} | ${f(m.p99, 2)} | ${x(m.p99 / df.p99)} | ${m.bad} |`);
    }
  }
  const s64 = r["stores64@64"];
  const wf32 = r["workerFloor@32"];
  const df32 = r["storeFloor@32"];
  rows.push(`| 64 stores, 1 × 1 KiB at -1 each | 64 | ${f(s64.rps)} | ${x(s64.rps / wf32.rps)} | ${x(s64.rps / df32.rps)} | ${f(s64.p50, 2)} | ${x(s64.p50 / df32.p50)} | ${f(s64.p99, 2)} | ${x(s64.p99 / df32.p99)} | ${s64.bad} |`);

  const bigRows = [
    "| 16 MiB value | MiB/s | × floor (same bytes through the Worker, no DO) | server RSS peak |",
    "| --- | ---: | ---: | ---: |",
    `| floor: upload to the Worker | ${f(big.floorUp)} | 1.00× | |`,
    `| floor: download from the Worker | ${f(big.floorDown)} | 1.00× | |`,
    `| putObjects 16 MiB | ${f(big.put)} | ${x(big.put / big.floorUp)} | ${f(big.peakPut / MIB)} MiB |`,
    `| getObject 16 MiB | ${f(big.get)} | ${x(big.get / big.floorDown)} | ${f(big.peakGet / MIB)} MiB |`,
    "",
    `workerd RSS before the 16 MiB phase: ${f(big.idle / MIB)} MiB; peak over the whole run (VmHWM): ${f(big.hwm / MIB)} MiB.`,
  ];

  const get32 = r["get@32"].rps / df32.rps;
  const put32 = r["put@32"].rps / df32.rps;
  const listRatio = r["list100k@32"].p50 / r["list100@32"].p50;
  const listRatio1 = r["list100k@1"].p50 / r["list100@1"].p50;
  const storesRatio = s64.rps / r["put@32"].rps;
  const verdict = (ok) => (ok ? "**met**" : "**MISSED**");
  const targets = [
    "| Target | Measured | |",
    "| --- | ---: | --- |",
    `| getObject ≥ 0.8× the DO floor's throughput at 32 clients | ${x(get32)} | ${verdict(get32 >= 0.8)} |`,
    `| single-item put ≥ 0.7× the DO floor's throughput at 32 clients | ${x(put32)} | ${verdict(put32 >= 0.7)} |`,
    `| 100-key page from 100 000 keys ≤ 1.2× the p50 latency of the page from 100 keys (32 clients; 1 client) | ${x(listRatio)}; ${x(listRatio1)} | ${verdict(listRatio <= 1.2 && listRatio1 <= 1.2)} |`,
    `| 16 MiB put ≥ 100 MiB/s | ${f(big.put)} MiB/s | ${verdict(big.put >= 100)} |`,
    `| 16 MiB get ≥ 100 MiB/s | ${f(big.get)} MiB/s | ${verdict(big.get >= 100)} |`,
    `| 64 stores ≥ 1× the single-store put throughput (32 clients) | ${x(storesRatio)} | ${verdict(storesRatio >= 1)} |`,
  ];
  const md = multiDeviceReport(multiDevice);
  targets.push(...md.targets);
  const hr = historyReport(history);
  targets.push(...hr.targets);
  const bad = Object.values(r).reduce((n, m) => n + m.bad, 0);
  return { rows, bigRows, mdRows: [...md.rows, "", ...hr.rows], targets, bad };
}

function machine() {
  const cpu = cpus();
  const version = (cmd, args) => sh(cmd, args)?.split("\n")[0] ?? "unknown";
  const pkg = (name) => JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, "utf8")).version;
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Command: \`npm run bench\` (BENCH_SECONDS=${SECONDS}: a 1 s warm-up, then ${SECONDS} s per row; wrk with one thread)`,
    `- Machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${f(totalmem() / 2 ** 30, 1)} GiB RAM, Linux ${release()}`,
    `- Versions: Node ${process.version}, workerd ${version(`${ROOT}node_modules/@cloudflare/workerd-linux-64/bin/workerd`, ["--version"])}, wrangler ${pkg("wrangler")}, miniflare ${pkg("miniflare")}, ${version("sh", ["-c", "wrk --version 2>&1"]).split(" Copyright")[0]}`,
  ];
}

const result = await main();
const table = [...result.rows, "", ...result.bigRows, "", ...result.mdRows, "", ...result.targets].join("\n");
console.log("\n" + table + "\n");
if (result.bad > 0) console.log(`WARNING: ${result.bad} requests were not answered 2xx — those rows do not measure what they claim.`);

const ANALYSIS = "## Analysis";
const previous = existsSync(OUT) ? readFileSync(OUT, "utf8") : "";
const analysis = previous.includes(ANALYSIS) ? previous.slice(previous.indexOf(ANALYSIS)) : `${ANALYSIS}\n\n(not written yet)\n`;
const doc = [
  "# Benchmarks",
  "",
  "Generated by `npm run bench` (scripts/bench.mjs); everything above **Analysis** is rewritten on every run.",
  "",
  ...machine(),
  "",
  "Setup: the deployable bundle (`wrangler deploy --dry-run`) served as `npm start` serves it (scripts/start.mjs:",
  "workerd, the Worker and the Durable Objects in two isolates) on 127.0.0.1, state persisted to a temporary",
  "directory, `VSS_BENCH_FLOORS=true`, rate limits left out (`--no-rate-limits`). Sigs authentication is on for every VSS request: each identity's requests",
  `carry one of ${HEADER_POOL} pre-signed header values (timestamps of the last ${HEADER_POOL} seconds; ldk-node signs`,
  "deterministically over a seconds timestamp, so a wallet sends one distinct value per second). The `every header new`",
  `row cycles through ${UNCACHED_POOL} distinct values, more than the server's verified-header cache holds, so every`,
  "request pays a full secp256k1 verification. Single-store rows use one identity and one store; `64 stores` uses 64",
  "identities, each writing its own store, over 64 connections. Latency ratios compare with the DO floor at the same",
  "number of connections. Put rows replay fewer keys than requests, each value stamped with its request's number, so",
  "every write stores bytes that differ from the key's last ones, as a wallet's freshly encrypted values do.",
  "",
  table,
  "",
  analysis,
].join("\n");
writeFileSync(OUT, doc);
console.log(`bench: wrote ${OUT}`);
process.exit(result.bad > 0 ? 1 : 0);
