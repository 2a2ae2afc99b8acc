// The history's rows of `npm run bench` (HISTORY.md §5): single-item puts with history against the same puts on a
// second server that keeps no past values (VSS_HISTORY_VALUES_DAYS=0), interleaved, at 1 and 32 connections; what
// hashing a 16 MiB value costs the Worker (the upload floor with and without SHA-256); and walking getHistory over
// 10 000 revisions.
import { startServer } from "../lib/local-server.mjs";
import { decodeHistory, getHistoryRequest, putObjectRequest } from "../lib/vss-wire.mjs";
import { requestFile, stamped, wrk } from "./wrk.mjs";

const KIB = 1024;
const MIB = 1024 * KIB;
const REVISIONS = 10_000;

/** Runs the rows; `main` is the bench's server. Returns the raw figures for historyReport(). */
export async function measureHistory({ main, bundle, work, seconds, auth, call, replay }) {
  const valuesOff = await startServer({ bundle, persistTo: `${work}/state-values-off`, vars: { VSS_HISTORY_VALUES_DAYS: "0" }, rateLimits: false });
  try {
    const value = Buffer.alloc(KIB, 0x62);
    const servers = { on: main, off: valuesOff };
    const files = {};
    for (const [name, server] of Object.entries(servers)) {
      const host = server.url.replace("http://", "");
      files[name] = requestFile(work, `history-put-${name}`, host, 1024, (i) => ["/vss/putObjects", auth(i), putObjectRequest("history", [[`h-${i % 256}`, -1, stamped(value, i)]])]);
    }
    const puts = { on: { 1: [], 32: [] }, off: { 1: [], 32: [] } };
    for (let round = 0; round < 2; round++) {
      for (const connections of [1, 32]) {
        for (const name of round % 2 === 0 ? ["on", "off"] : ["off", "on"]) {
          wrk(servers[name].url, connections, 1, replay, [files[name]]);
          puts[name][connections].push(wrk(servers[name].url, connections, seconds, replay, [files[name]]));
        }
      }
    }
    const big = Buffer.alloc(16 * MIB, 7);
    const bigPut = putObjectRequest("history", [["big", -1, big]]);
    // 15 interleaved pairs (the order alternating), so that the machine's drift falls on both sides alike; the
    // hashing's cost is the median of the pairs' differences.
    const elapsed = async (path) => {
      const start = process.hrtime.bigint();
      await call(main.url, path, auth(0), bigPut);
      return Number(process.hrtime.bigint() - start) / 1e9;
    };
    const pairs = [];
    for (let i = 0; i < 15; i++) {
      const first = i % 2 === 0 ? "/bench/worker-floor" : "/bench/worker-floor?hash=1";
      const a = await elapsed(first);
      const b = await elapsed(i % 2 === 0 ? "/bench/worker-floor?hash=1" : "/bench/worker-floor");
      pairs.push(i % 2 === 0 ? [a, b] : [b, a]);
    }
    const median = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
    const upload = { seconds: median(pairs.map(([a]) => a)) };
    const hashed = { seconds: median(pairs.map(([, b]) => b)), differenceSeconds: median(pairs.map(([a, b]) => b - a)) };
    // 10 000 revisions of one store, 16 writers at a time; then one client walks getHistory from revision 0.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < REVISIONS) {
          const i = next++;
          await call(main.url, "/vss/putObjects", auth(i), putObjectRequest("history-walk", [[`w-${i % 64}`, -1, stamped(value, i)]]));
        }
      }),
    );
    const started = performance.now();
    let after = 0;
    let pages = 0;
    let records = 0;
    for (;;) {
      const page = decodeHistory(await call(main.url, "/vss/getHistory", auth(pages), getHistoryRequest("history-walk", after)));
      pages++;
      records += page.revisions.length;
      if (page.revisions.length === 0 || page.revisions.at(-1).revision >= page.headRevision) break;
      after = page.revisions.at(-1).revision;
    }
    const walk = { seconds: (performance.now() - started) / 1000, pages, records };
    if (records !== REVISIONS) throw new Error(`getHistory walked ${records} revisions, ${REVISIONS} were written`);
    return { puts, hashing: { uploadSeconds: upload.seconds, hashedSeconds: hashed.seconds, differenceSeconds: hashed.differenceSeconds }, walk };
  } finally {
    await valuesOff.stop();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The history rows and targets for BENCHMARKS.md. */
export function historyReport(h) {
  const x = (n) => `${n.toFixed(2)}×`;
  const rows = ["| History | Conns | with history | values off (VSS_HISTORY_VALUES_DAYS=0) | with ÷ off |", "| --- | ---: | ---: | ---: | ---: |"];
  const targets = [];
  for (const c of [1, 32]) {
    const on = median(h.puts.on[c].map((r) => r.rps));
    const off = median(h.puts.off[c].map((r) => r.rps));
    const p99on = median(h.puts.on[c].map((r) => r.p99));
    const p99off = median(h.puts.off[c].map((r) => r.p99));
    rows.push(`| putObjects 1 × 1 KiB at -1, req/s (p99 ms, wrk) | ${c} | ${on.toFixed(0)} (${p99on.toFixed(2)}) | ${off.toFixed(0)} (${p99off.toFixed(2)}) | ${x(on / off)} |`);
    targets.push(`| puts with history at most 10 % slower than with no past values kept (${c} connection${c > 1 ? "s" : ""}) | ${x(on / off)} | ${on / off >= 0.9 ? "**met**" : "**MISSED**"} |`);
  }
  const hashMs = h.hashing.differenceSeconds * 1000;
  rows.push("", "| History, other rows | Measured |", "| --- | ---: |");
  rows.push(`| 16 MiB through the Worker: upload alone / upload + SHA-256, ms (medians of 15 interleaved pairs; hashing = the median difference) | ${(h.hashing.uploadSeconds * 1000).toFixed(0)} / ${(h.hashing.hashedSeconds * 1000).toFixed(0)} (hashing ≈ ${Math.max(0, hashMs).toFixed(0)} ms, ${hashMs > 0 ? ((16 * 1000) / hashMs).toFixed(0) : "–"} MiB/s) |`);
  rows.push(`| getHistory over ${h.walk.records} revisions, one client, ${h.walk.pages} pages | ${h.walk.seconds.toFixed(2)} s (${((h.walk.seconds * 1000) / h.walk.pages).toFixed(1)} ms a page) |`);
  return { rows, targets };
}
