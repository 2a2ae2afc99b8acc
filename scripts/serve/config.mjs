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
  const plain = [
    ...Object.entries(vars).map(([name, value]) => `(name = ${text(name)}, text = ${text(value)})`),
    ...fromEnvironment.map((name) => `(name = ${text(name)}, fromEnvironment = ${text(name)})`),
  ];
  const namespaces = Object.entries(worker.durableObjects ?? {});
  // The front Worker reaches every Durable Object in the objects' own isolate; the objects reach each other there.
  const objectBindings = (service) =>
    namespaces.map(([name, { className }]) => `(name = ${text(name)}, durableObjectNamespace = (className = ${text(className)}${service ? `, serviceName = ${text(service)}` : ""}))`);
  const limiters = rateLimits ? Object.entries(worker.ratelimits ?? {}) : [];
  const limiterBindings = limiters.map(([name, { simple }]) => {
    const inner = `[(name = "limit", json = ${text(simple.limit)}), (name = "period", json = ${text(simple.period)})]`;
    return `(name = ${text(name)}, wrapped = (moduleName = ${text(RATE_LIMIT_MODULE)}, innerBindings = ${inner}))`;
  });
  const classes = [...new Set(namespaces.map(([, d]) => d.className))];
  const definitions = classes.map((className) => `(className = ${text(className)}, uniqueKey = ${text(uniqueKey(workerName, className))}, enableSql = true)`);
  const extensions = limiters.length === 0 ? "" : `extensions = [(modules = [(name = ${text(RATE_LIMIT_MODULE)}, internal = true, esModule = ${text(readFileSync(RATE_LIMIT_SOURCE, "utf8"))})])],`;
  const common = `modules = [(name = "index.js", esModule = embed ${text(bundle)})],
  compatibilityDate = ${text(worker.compatibilityDate)},
  compatibilityFlags = [${(worker.compatibilityFlags ?? []).map(text).join(", ")}],`;
  return `using Workerd = import "/workerd/workerd.capnp";

# Two isolates of the same bundle, as on Cloudflare, where a Worker and its Durable Objects never share one: the
# front one takes every request; the objects one hosts the Durable Objects. Sharing one isolate, the two took turns
# unevenly under load (measured: a Durable Object call's p99 at 32 connections 30–40 ms in one isolate, 5–8 ms in two).
const config :Workerd.Config = (
  services = [
    (name = "vss", worker = .front),
    (name = "vss-objects", worker = .objects),
    (name = "state", disk = (path = ${text(stateDir)}, writable = true)),
  ],
  sockets = [(name = "http", address = ${text(address)}, http = (), service = "vss")],
  v8Flags = [${v8Flags.map(text).join(", ")}],
  ${extensions}
);

const front :Workerd.Worker = (
  ${common}
  bindings = [
    ${[...plain, ...objectBindings("vss-objects"), ...limiterBindings].join(",\n    ")}
  ],
);

const objects :Workerd.Worker = (
  ${common}
  bindings = [
    ${[...plain, ...objectBindings(null)].join(",\n    ")}
  ],
  durableObjectNamespaces = [${definitions.join(", ")}],
  durableObjectStorage = (localDisk = "state"),
);
`;
}
