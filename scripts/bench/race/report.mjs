// The race's report: medians over the rounds, the markdown tables (throughput from both clients, latency from the
// Node client, wrk's p99 beside it, server CPU per request, the restore), the targets evaluated from the numbers,
// and writing the `## Race against the reference server` section of BENCHMARKS.md (that section only).
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const HEADING = "## Race against the reference server";

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const num = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
export const ms = (n) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : "–");
export const x = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "–");

/** The medians over the rounds `runs` (one server's results on one row) of every figure the tables use. */
export function sideSummary(runs) {
  const pick = (f) => median(runs.map(f));
  return {
    wrkRps: pick((r) => r.wrk.rps),
    wrkP50: pick((r) => r.wrk.p50),
    wrkP99: pick((r) => r.wrk.p99),
    nodeRps: pick((r) => r.node.rps),
    nodeP50: pick((r) => r.node.p50),
    nodeP99: pick((r) => r.node.p99),
    bad: runs.reduce((n, r) => n + r.wrk.bad + r.node.bad, 0),
    // CPU ms per request and cores busy, per process group, during the wrk runs
    cpu: Object.fromEntries(
      Object.keys(runs[0]?.cpuWrk ?? {}).map((g) => [
        g,
        { perRequest: pick((r) => (r.cpuWrk[g] * 1000) / r.wrk.requests), cores: pick((r) => r.cpuWrk[g] / (r.wrk.requests / r.wrk.rps)) },
      ]),
    ),
  };
}

/** Per row and server (ref, ours), the medians over the rounds of every figure the tables use. */
export function summarize(results) {
  const rows = {};
  for (const [id, row] of Object.entries(results.rows)) {
    const side = (server) => sideSummary(row[server]);
    // ours ÷ ref of each round's back-to-back pair, which load drift between rounds does not move (race.json only)
    const perRound = (f) => row.ours.map((o, i) => (row.ref[i] ? f(o) / f(row.ref[i]) : NaN));
    const paired = { wrkRps: perRound((r) => r.wrk.rps), nodeRps: perRound((r) => r.node.rps), nodeP99: perRound((r) => r.node.p99) };
    rows[id] = { name: row.name, conns: row.conns, ref: side("ref"), ours: side("ours"), paired };
  }
  const restore = {};
  for (const server of ["ref", "ours"]) {
    const runs = results.restore?.[server] ?? [];
    restore[server] = { seconds: median(runs.map((r) => r.seconds)), listSeconds: median(runs.map((r) => r.listSeconds)), getSeconds: median(runs.map((r) => r.getSeconds)), pages: runs[0]?.pages };
  }
  return { rows, restore };
}

/** The targets, each {text, measured, met}; a target whose rows were not run is left out. */
export function targets(summary) {
  const out = [];
  const r = summary.rows;
  const throughput = (id, floor) => {
    if (!r[id]) return;
    const wrkRatio = r[id].ours.wrkRps / r[id].ref.wrkRps;
    const nodeRatio = r[id].ours.nodeRps / r[id].ref.nodeRps;
    out.push({ text: `${r[id].name} @${r[id].conns}: ours ÷ ref throughput ≥ ${floor} (wrk)`, measured: `${x(wrkRatio)} (Node client: ${x(nodeRatio)})`, met: wrkRatio >= floor });
  };
  throughput("get@32", 0.5);
  throughput("put@32", 0.5);
  throughput("cond@32", 0.5);
  throughput("put10@32", 1);
  for (const id of ["get@1", "get@32", "put@1", "put@32", "cond@1", "cond@32"]) {
    if (!r[id]) continue;
    const ratio = r[id].ours.nodeP99 / r[id].ref.nodeP99;
    out.push({ text: `${r[id].name} @${r[id].conns}: ours p99 ≤ 3× ref p99 (Node client)`, measured: `${x(ratio)} (${ms(r[id].ours.nodeP99)} vs ${ms(r[id].ref.nodeP99)} ms)`, met: ratio <= 3 });
  }
  return out;
}

export function tables(summary) {
  const lines = [
    "| Workload | Conns | ref req/s (wrk) | ours req/s (wrk) | ratio | ref req/s (Node) | ours req/s (Node) | ratio | ref p50 / p99 ms (Node) | ours p50 / p99 ms (Node) | p99 ratio (Node) | wrk p99 ms ref / ours | non-2xx ref / ours |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of Object.values(summary.rows)) {
    const { ref, ours } = row;
    lines.push(
      `| ${row.name} | ${row.conns} | ${num(ref.wrkRps)} | ${num(ours.wrkRps)} | ${x(ours.wrkRps / ref.wrkRps)} | ${num(ref.nodeRps)} | ${num(ours.nodeRps)} | ${x(ours.nodeRps / ref.nodeRps)} | ` +
        `${ms(ref.nodeP50)} / ${ms(ref.nodeP99)} | ${ms(ours.nodeP50)} / ${ms(ours.nodeP99)} | ${x(ours.nodeP99 / ref.nodeP99)} | ${ms(ref.wrkP99)} / ${ms(ours.wrkP99)} | ${ref.bad} / ${ours.bad} |`,
    );
  }
  const cpu = [
    "| Workload | Conns | ref: vss-server ms/req (cores) | ref: PostgreSQL ms/req (cores) | ref total ms/req | ours: server ms/req (cores) | ours ÷ ref CPU per request |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of Object.values(summary.rows)) {
    const a = row.ref.cpu["vss-server"] ?? {};
    const p = row.ref.cpu.postgres ?? {};
    const o = row.ours.cpu.server ?? {};
    const refTotal = (a.perRequest ?? NaN) + (p.perRequest ?? NaN);
    cpu.push(
      `| ${row.name} | ${row.conns} | ${num(a.perRequest, 3)} (${num(a.cores, 2)}) | ${num(p.perRequest, 3)} (${num(p.cores, 2)}) | ${num(refTotal, 3)} | ${num(o.perRequest, 3)} (${num(o.cores, 2)}) | ${x(o.perRequest / refTotal)} |`,
    );
  }
  const { ref, ours } = summary.restore;
  const restore = Number.isFinite(ref.seconds)
    ? [
        "| Restore, 10 000 keys × 1 KiB, 1 client (list pages, then getObject × 8 in flight) | ref | ours | ours ÷ ref time |",
        "| --- | ---: | ---: | ---: |",
        `| whole restore, s | ${num(ref.seconds, 2)} | ${num(ours.seconds, 2)} | ${x(ours.seconds / ref.seconds)} |`,
        `| listKeyVersions, s (pages) | ${num(ref.listSeconds, 2)} (${ref.pages}) | ${num(ours.listSeconds, 2)} (${ours.pages}) | ${x(ours.listSeconds / ref.listSeconds)} |`,
        `| 10 000 getObject, s | ${num(ref.getSeconds, 2)} | ${num(ours.getSeconds, 2)} | ${x(ours.getSeconds / ref.getSeconds)} |`,
      ]
    : [];
  const goals = ["| Target | Measured | |", "| --- | --- | --- |", ...targets(summary).map((t) => `| ${t.text} | ${t.measured} | ${t.met ? "**met**" : "**MISSED**"} |`)];
  return { main: lines, cpu, restore, goals };
}

/** Replaces the race section of `file` (up to the next `## ` heading), or appends it; the rest stays as it was. */
export function writeSection(file, section) {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const start = text.startsWith(`${HEADING}\n`) ? 0 : text.indexOf(`\n${HEADING}\n`) + 1; // 0: not there
  if (start === 0 && !text.startsWith(`${HEADING}\n`)) {
    writeFileSync(file, `${text.replace(/\n*$/, "")}\n\n${section.trim()}\n`);
    return;
  }
  const after = text.slice(start + HEADING.length);
  const nextHeading = after.search(/\n## /);
  const rest = nextHeading < 0 ? "" : after.slice(nextHeading + 1);
  writeFileSync(file, `${text.slice(0, start)}${section.trim()}\n${rest ? `\n${rest}` : ""}`);
}
