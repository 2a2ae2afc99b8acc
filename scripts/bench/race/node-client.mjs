// The race's second load client: Node's http module with a keep-alive Agent (maxSockets = N) and N concurrent loops,
// each sending its next request when the previous one is answered — how reqwest (ldk-node) and bitreq drive a VSS
// server. It measures the latency percentiles the report uses, because wrk's p99 against workerd is inflated on this
// machine kind (shared/anchors/README.md); it records throughput and its own CPU time too.
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

async function run(agent, url, connections, seconds, next) {
  const latencies = [];
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
          latencies.push(performance.now() - t0);
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
