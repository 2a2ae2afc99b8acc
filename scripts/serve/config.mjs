// The workerd configuration `npm start` serves (scripts/start.mjs): the deployable bundle with wrangler.toml's
// compatibility settings, Durable Object classes, variables and rate limits, Durable Object state in a directory on
// disk, and one HTTP socket. Written as Cap'n Proto text (node_modules/workerd/workerd.capnp is the schema).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const RATE_LIMIT_MODULE = "edge-vss-internal:ratelimit";
const RATE_LIMIT_SOURCE = fileURLToPath(new URL("./ratelimit.js", import.meta.url));

/** A Cap'n Proto text literal. */
const text = (value) => JSON.stringify(String(value));

/**
 * Durable Object files are named from ids derived from each class's unique key; the key is the one Miniflare uses
 * (`<worker name>-<class>`), so `npm start` and `npm run dev` (wrangler dev) read and write the same state.
 */
export const uniqueKey = (workerName, className) => `${workerName}-${className}`;

/**
 * The configuration text. `worker`: from wrangler's own reading of wrangler.toml (name, compatibility date and
 * flags, durableObjects, ratelimits); `vars`: plain-text variables; `fromEnvironment`: names of variables workerd
 * reads from its own environment (secrets never written to disk); `bundle`: path of the bundle's index.js;
 * `stateDir`: where Durable Objects live; `address`: host:port to listen on.
 */
export function workerdConfig({ workerName, worker, vars, fromEnvironment, bundle, stateDir, address, rateLimits, v8Flags = [] }) {
  const bindings = [
    ...Object.entries(vars).map(([name, value]) => `(name = ${text(name)}, text = ${text(value)})`),
    ...fromEnvironment.map((name) => `(name = ${text(name)}, fromEnvironment = ${text(name)})`),
    ...Object.entries(worker.durableObjects ?? {}).map(([name, { className }]) => `(name = ${text(name)}, durableObjectNamespace = (className = ${text(className)}))`),
  ];
  const limiters = rateLimits ? Object.entries(worker.ratelimits ?? {}) : [];
  for (const [name, { simple }] of limiters) {
    const inner = `[(name = "limit", json = ${text(simple.limit)}), (name = "period", json = ${text(simple.period)})]`;
    bindings.push(`(name = ${text(name)}, wrapped = (moduleName = ${text(RATE_LIMIT_MODULE)}, innerBindings = ${inner}))`);
  }
  const classes = [...new Set(Object.values(worker.durableObjects ?? {}).map((d) => d.className))];
  const namespaces = classes.map((className) => `(className = ${text(className)}, uniqueKey = ${text(uniqueKey(workerName, className))}, enableSql = true)`);
  const extensions = limiters.length === 0 ? "" : `extensions = [(modules = [(name = ${text(RATE_LIMIT_MODULE)}, internal = true, esModule = ${text(readFileSync(RATE_LIMIT_SOURCE, "utf8"))})])],`;
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "vss", worker = .vss),
    (name = "state", disk = (path = ${text(stateDir)}, writable = true)),
  ],
  sockets = [(name = "http", address = ${text(address)}, http = (), service = "vss")],
  v8Flags = [${v8Flags.map(text).join(", ")}],
  ${extensions}
);

const vss :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed ${text(bundle)})],
  compatibilityDate = ${text(worker.compatibilityDate)},
  compatibilityFlags = [${(worker.compatibilityFlags ?? []).map(text).join(", ")}],
  bindings = [
    ${bindings.join(",\n    ")}
  ],
  durableObjectNamespaces = [${namespaces.join(", ")}],
  durableObjectStorage = (localDisk = "state"),
);
`;
}
