#!/usr/bin/env node
// Serves the deployable bundle (`wrangler deploy --dry-run --outdir`) in workerd through Miniflare, configured from
// wrangler.toml, on 127.0.0.1: the alternative host to `npm start`'s own runner (scripts/start.mjs), kept so that
// the benchmark can measure both (Miniflare puts its entry Worker in front of ours). Not used to serve wallets.
// Usage: node scripts/lib/serve.mjs --bundle DIR --persist DIR --port N [--var NAME=VALUE]... [--no-rate-limits]
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const vars = {};
args.forEach((arg, i) => {
  if (arg === "--var") {
    const [name, ...rest] = args[i + 1].split("=");
    vars[name] = rest.join("=");
  }
});

const { workerOptions } = unstable_getMiniflareWorkerOptions(`${ROOT}wrangler.toml`);
const { modulesRules: _rules, ratelimits, ...rest } = workerOptions;
const mf = new Miniflare({
  ...rest,
  ...(args.includes("--no-rate-limits") ? {} : { ratelimits }),
  name: "edge-vss",
  modules: true,
  scriptPath: `${option("--bundle")}/index.js`,
  modulesRoot: option("--bundle"),
  bindings: { ...workerOptions.bindings, ...vars },
  durableObjectsPersist: option("--persist"),
  host: "127.0.0.1",
  port: Number(option("--port")),
  verbose: false,
});
await mf.ready;
console.log(`ready ${option("--port")}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
