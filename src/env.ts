import type { VssStore } from "./store/vss-store";

/** The Worker's bindings and variables (wrangler.toml; documented in README.md § Configuration). */
export interface Env {
  VSS_STORE: DurableObjectNamespace<VssStore>;
  VSS_AUTH_SCHEMES?: string;
  VSS_MAX_REQUEST_BYTES?: string;
  VSS_DEFAULT_PAGE_SIZE?: string;
  VSS_SIGS_MAX_SKEW_SECONDS?: string;
  /** "true" serves the benchmark floor routes under /bench (worker/bench-routes.ts); off by default. */
  VSS_BENCH_FLOORS?: string;
}
