// The race's second load client: Node's http module with a keep-alive Agent (maxSockets = N) and N concurrent loops,
// each sending its next request when the previous one is answered — how reqwest (ldk-node) and bitreq drive a VSS
// server. It measures the latency percentiles the report uses, because wrk's p99 against workerd is inflated on this
// machine kind (shared/anchors/README.md); it records throughput and its own CPU time too, and where the slowest
// requests waited (stalls(): whole-server pauses or unfair queueing; race.json only).
import http from "node:http";

/** POSTs `body` over `agent`; resolves to {status, body}. */
export function post(agent, url, path, authorization, body) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, hostname, port, path, method: "POST", headers: { authorization, "content-type": "application/octet-stream", "content-length": body.length } },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** A keep-alive client of `connections` sockets at most. */
export const keepAlive = (connections) => new http.Agent({ keepAlive: true, maxSockets: connections });

/** The p-th percentile of sorted `values` (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Where the slowest 1 % of requests waited, from each answered request's start and end (ms) and its loop: for each
 * of them, the longest stretch of its wait in which no other request was answered (as a share of its latency), and
 * how many others were answered meanwhile (as a share of what the run's mean rate answers in that time). Shares near
 * 1 and 0: the whole server (or the client) paused; near 0 and 1: others were served while it waited (unfair queueing).
 * Medians over the slowest 1 %; with the longest answer-free gap of the run and how many loops the slow requests
 * came from. Undefined with a single loop.
 */
export function stalls(starts, ends, loops, elapsedMs) {
  const n = ends.length;
  if (n < 100 || new Set(loops).size < 2) return undefined; // one loop: nothing else can be answered meanwhile
  const sortedEnds = Float64Array.from(ends).sort();
  const rate = n / elapsedMs;
  const firstAfter = (t) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedEnds[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let longestGapMs = 0;
  for (let i = 1; i < n; i++) longestGapMs = Math.max(longestGapMs, sortedEnds[i] - sortedEnds[i - 1]);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ends[b] - starts[b] - (ends[a] - starts[a]));
  const tail = order.slice(0, Math.max(1, Math.ceil(n / 100)));
  const gapShares = [];
  const servedShares = [];
  for (const i of tail) {
    const [s, e] = [starts[i], ends[i]];
    const from = firstAfter(s);
    const to = firstAfter(e - 1e-9); // answers strictly before e (its own end excluded)
    let gap = 0;
    let last = s;
    for (let j = from; j < to; j++) {
      gap = Math.max(gap, sortedEnds[j] - last);
      last = sortedEnds[j];
    }
    gap = Math.max(gap, e - last);
    gapShares.push(gap / (e - s));
    servedShares.push((to - from) / ((e - s) * rate));
  }
  const mid = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { tailRequests: tail.length, tailGapShare: mid(gapShares), tailServedShare: mid(servedShares), tailLoops: new Set(tail.map((i) => loops[i])).size, longestGapMs };
}

async function run(agent, url, connections, seconds, next) {
  const latencies = [];
  const starts = [];
  const ends = [];
  const loops = [];
  let bad = 0;
  let errors = 0;
  let firstBad = "";
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: connections }, async (_, loop) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const [path, authorization, body] = next(loop, n);
        const t0 = performance.now();
        try {
          const answer = await post(agent, url, path, authorization, body);
          const t1 = performance.now();
          latencies.push(t1 - t0);
          starts.push(t0 - started);
          ends.push(t1 - started);
          loops.push(loop);
          if (answer.status !== 200) {
            bad++;
            firstBad ||= `${path} answered ${answer.status}: ${answer.body.subarray(0, 200).toString("latin1")}`;
          }
        } catch (error) {
          errors++;
          firstBad ||= `${path}: ${error.message}`;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: latencies.length / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    requests: latencies.length,
    bad: bad + errors,
    firstBad: firstBad || undefined,
    clientCpuSeconds: (used.user + used.system) / 1e6,
    seconds: elapsed,
    stalls: stalls(starts, ends, loops, elapsed * 1000),
  };
}

/**
 * `connections` loops over one keep-alive agent for `warmup` seconds (opening the sockets, not recorded), then
 * `seconds` measured. next(loop, n) → [path, authorization, body] is the n-th request of loop `loop`.
 * Latency: from the request's start to its answer's last byte, in ms.
 */
export async function nodeLoad({ url, connections, seconds, warmup = 1, next }) {
  const agent = keepAlive(connections);
  try {
    if (warmup > 0) await run(agent, url, connections, warmup, next);
    return await run(agent, url, connections, seconds, next);
  } finally {
    agent.destroy();
  }
}
