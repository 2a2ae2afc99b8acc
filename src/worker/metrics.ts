/**
 * Prometheus text for GET /metrics. Counters live in this isolate's memory: on Cloudflare each isolate reports
 * its own share, so sum across scrapes with care; locally there is one isolate.
 */
const requests = new Map<string, number>();

/** Counts one answered request by operation and status. */
export function countRequest(operation: string, status: number): void {
  const label = `operation="${operation}",status="${status}"`;
  requests.set(label, (requests.get(label) ?? 0) + 1);
}

export function renderMetrics(): string {
  const lines = [
    "# HELP vss_service_up Whether the service is up.",
    "# TYPE vss_service_up gauge",
    "vss_service_up 1",
    "# HELP vss_requests_total VSS requests answered by this isolate, by operation and status.",
    "# TYPE vss_requests_total counter",
    ...[...requests].map(([label, count]) => `vss_requests_total{${label}} ${count}`),
  ];
  return lines.join("\n") + "\n";
}
