import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Two projects: `workers` runs inside workerd against real SQLite Durable Objects (the Worker is loaded from
 * wrangler.toml); `local-server` starts the real local server (`wrangler dev`) as a process.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [cloudflareTest({ main: "./src/index.ts", wrangler: { configPath: "./wrangler.toml" } })],
        test: { name: "workers", include: ["test/{unit,store,http}/**/*.test.ts", "client/test/workers/**/*.test.ts"], testTimeout: 60_000 },
      },
      {
        test: { name: "local-server", include: ["test/local-server/**/*.test.ts", "client/test/node/**/*.test.ts"], environment: "node", testTimeout: 120_000 },
      },
    ],
  },
});
