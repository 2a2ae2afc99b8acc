// The race's host comparison: the same deploy bundle served by npm start's runner (scripts/start.mjs: workerd with
// nothing in front, "ours") and hosted by Miniflare (scripts/lib/serve.mjs: its entry Worker in front of ours),
// measured in the same interleaved rounds as ref and ours but on four rows only, to keep the run short. Its summary
// (medians over the rounds, ratios npm start ÷ Miniflare) and its table in the race section. --no-miniflare skips it.
import { ms, num, sideSummary, x } from "./report.mjs";

/** The rows Miniflare runs: getObject 1 KiB and putObjects 1 × 1 KiB at -1, at 1 and 32 connections. */
export const HOST_ROWS = new Set(["get@1", "get@32", "put@1", "put@32"]);
export const HOST_TITLE = "npm start (workerd directly) vs Miniflare as host, same bundle";

/** Per host row: medians of ours (npm start) and Miniflare, and each round's back-to-back ratio (race.json only). */
export function hostSummary(results) {
  const rows = {};
  for (const [id, row] of Object.entries(results.rows)) {
    if (!row.miniflare?.length) continue;
    const perRound = (f) => row.ours.map((o, i) => (row.miniflare[i] ? f(o) / f(row.miniflare[i]) : NaN));
    rows[id] = {
      name: row.name,
      conns: row.conns,
      ours: sideSummary(row.ours),
      miniflare: sideSummary(row.miniflare),
      paired: { wrkRps: perRound((r) => r.wrk.rps), nodeRps: perRound((r) => r.node.rps), nodeP99: perRound((r) => r.node.p99) },
    };
  }
  return Object.keys(rows).length ? { rows } : null;
}

/** The markdown lines of the host comparison (none when Miniflare did not run). */
export function hostTable(hosts) {
  if (!hosts) return [];
  const lines = [
    `**${HOST_TITLE}.** The same bundle hosted by Miniflare`,
    `(scripts/lib/serve.mjs: its entry Worker in front of ours, rate-limit bindings off), its own fresh state seeded`,
    `alike, ran four workloads only (${[...HOST_ROWS].join(", ")}) in the same rounds: ref, npm start, Miniflare for`,
    `each of them in odd rounds, the reverse in even ones. Ratios are npm start ÷ Miniflare of the medians: above 1×`,
    `npm start serves more, below 1× its p99 is lower. Server CPU per request counts every process of each host`,
    `(Miniflare: its Node process and workerd), over the wrk run.`,
    "",
    "| Workload | Conns | npm start req/s (wrk) | Miniflare req/s (wrk) | ratio | npm start req/s (Node) | Miniflare req/s (Node) | ratio | npm start p50 / p99 ms (Node) | Miniflare p50 / p99 ms (Node) | p99 ratio (Node) | server ms/req npm start / Miniflare | non-2xx npm start / Miniflare |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of Object.values(hosts.rows)) {
    const { ours: o, miniflare: m } = row;
    lines.push(
      `| ${row.name} | ${row.conns} | ${num(o.wrkRps)} | ${num(m.wrkRps)} | ${x(o.wrkRps / m.wrkRps)} | ${num(o.nodeRps)} | ${num(m.nodeRps)} | ${x(o.nodeRps / m.nodeRps)} | ` +
        `${ms(o.nodeP50)} / ${ms(o.nodeP99)} | ${ms(m.nodeP50)} / ${ms(m.nodeP99)} | ${x(o.nodeP99 / m.nodeP99)} | ${num(o.cpu.server?.perRequest, 3)} / ${num(m.cpu.server?.perRequest, 3)} | ${o.bad} / ${m.bad} |`,
    );
  }
  return lines;
}
