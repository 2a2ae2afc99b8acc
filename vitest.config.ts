import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Three projects: `workers` runs inside workerd against real SQLite Durable Objects (the Worker is loaded from
 * wrangler.toml); `local-server` starts the real local server (`npm start`'s runner: workerd serving the deployable bundle) as a process; `package` packs the
 * client (its prepack rebuilds client/dist), installs it into an empty project and runs it in Node, in esbuild
 * bundles and in Chromium — after the other two (groupOrder), so that no CLI test runs while client/dist is rebuilt.
 */
/**
 * wrangler.toml's limits are lifted for the test run, so that no suite depends on how many requests the others
 * sent in the same minute; test/http/rate-limit.test.ts points the Worker at the small TEST_ limiters instead.
 */
const TEST_RATE_LIMITS = {
  VSS_RATE_LIMIT_ADDRESS: { simple: { limit: 1_000_000, period: 60 } },
  VSS_RATE_LIMIT_IDENTITY: { simple: { limit: 1_000_000, period: 60 } },
  VSS_RATE_LIMIT_AUTH_FAILURES: { simple: { limit: 1_000_000, period: 60 } },
  VSS_RATE_LIMIT_LNURL_CHALLENGES: { simple: { limit: 1_000_000, period: 60 } },
  TEST_RATE_LIMIT_3: { simple: { limit: 3, period: 60 } },
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [cloudflareTest({ main: "./src/index.ts", wrangler: { configPath: "./wrangler.toml" }, miniflare: { ratelimits: TEST_RATE_LIMITS } })],
        test: { name: "workers", include: ["test/{unit,store,http,multidevice,admin,history}/**/*.test.ts", "client/test/workers/**/*.test.ts"], testTimeout: 60_000 },
      },
      {
        test: { name: "local-server", include: ["test/local-server/**/*.test.ts", "client/test/node/**/*.test.ts"], environment: "node", testTimeout: 120_000 },
      },
      {
        test: {
          name: "package",
          include: ["client/test/package/**/*.test.ts"],
          environment: "node",
          globalSetup: ["client/test/package/packed-client.ts"],
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
