// The race's workloads: the identities and signed requests both servers get (the same bytes, sigs-authenticated),
// seeding a fresh server, the sanity checks that every workload answers 200 (and a value comes back byte-exact)
// before anything is timed, and each workload's run under wrk (scripts/bench/*.lua) and under the Node client.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { headerPool, requestFile, stamped, wrk } from "../wrk.mjs";
import { SigsKey, decodeGetObject, decodeList, getObjectRequest, listKeyVersionsRequest, putObjectRequest } from "../../lib/vss-wire.mjs";
import { keepAlive, nodeLoad, post } from "./node-client.mjs";

const BENCH = fileURLToPath(new URL("..", import.meta.url));
const REPLAY = `${BENCH}requests.lua`;
const CONDITIONAL = `${BENCH}conditional.lua`;
const KIB = 1024;
const POOL = 32; // pre-signed header values per identity: one a second over the last 32 s, as a wallet signs
const CONDITIONAL_KEYS = 4000; // conditional.lua at 32 connections: a key comes round 4 000 requests later (64 at 1)
export const RESTORE_KEYS = 10_000;
const RESTORE_CONCURRENCY = 8;

/** The identities both servers see: one owner (single-store rows) and 64 wallets, each with its header pool. */
export function identities() {
  const owner = new SigsKey();
  const pool = headerPool(owner, POOL);
  const wallets = Array.from({ length: 64 }, () => headerPool(new SigsKey(), POOL));
  return { pool, auth: (i) => pool[i % POOL], wallets, value: Buffer.alloc(KIB, 0x61), restoreBase: randomBytes(KIB) };
}

/** One request that must answer 200; returns the body. */
async function call(agent, url, path, authorization, body) {
  const answer = await post(agent, url, path, authorization, body);
  if (answer.status !== 200) throw new Error(`${url}${path} answered ${answer.status}: ${answer.body.subarray(0, 200).toString("latin1")}`);
  return answer.body;
}

const restoreKey = (i) => `r-${String(i).padStart(5, "0")}`;
const restoreValue = (ids, i) => stamped(ids.restoreBase, i);

/** Seeds a fresh server: the 1 KiB value, the 100-key store, the 10 000-key restore store. */
export async function seed(url, ids) {
  const agent = keepAlive(1);
  try {
    await call(agent, url, "/vss/putObjects", ids.auth(0), putObjectRequest("bench", [["get-1k", -1, ids.value]]));
    await call(agent, url, "/vss/putObjects", ids.auth(0), putObjectRequest("list-100", Array.from({ length: 100 }, (_, i) => [`key-${i}`, -1, "v"])));
    for (let from = 0; from < RESTORE_KEYS; from += 500) {
      const items = Array.from({ length: 500 }, (_, j) => [restoreKey(from + j), -1, restoreValue(ids, from + j)]);
      await call(agent, url, "/vss/putObjects", ids.auth(from), putObjectRequest("restore", items));
    }
  } finally {
    agent.destroy();
  }
}

let stampCounter = 1_000_000; // the Node client's stamps, above any request file's, never repeated within a run
let runCounter = 0; // tags conditional stores: every conditional run starts on keys of its own

/**
 * The workloads: id, name, connections, wrk warm-up seconds, static make(i) (replayed by wrk from a request file,
 * and by the Node client with ever-new stamps) or a custom wrk/node pair for the stateful conditional puts.
 */
export function workloads(ids) {
  const { auth, value, wallets } = ids;
  const getBody = getObjectRequest("bench", "get-1k");
  const get = { count: POOL, make: (i) => ["/vss/getObject", auth(i), getBody] };
  const put = { count: 1024, make: (i) => ["/vss/putObjects", auth(i), putObjectRequest("bench", [[`put-${i % 256}`, -1, stamped(value, i)]])] };
  const put10 = {
    count: 1024,
    make: (i) => ["/vss/putObjects", auth(i), putObjectRequest("bench", Array.from({ length: 10 }, (_, j) => [`multi-${i % 100}-${j}`, -1, stamped(value, i)]))],
  };
  const list = { count: POOL, make: (i) => ["/vss/listKeyVersions", auth(i), listKeyVersionsRequest("list-100", { pageSize: 100 })] };
  // wrk's file cycles through the 64 wallets request by request; the Node client gives each loop its own wallet.
  const walletPut = (w, n, stamp) => ["/vss/putObjects", wallets[w][n % POOL], putObjectRequest("bench", [[`put-${n % 4}`, -1, stamped(value, stamp)]])];
  const wallet = { count: 64 * 16, make: (i) => walletPut(i % 64, Math.floor(i / 64), i), node: () => (loop, n) => walletPut(loop, n, stampCounter++) };
  const conditional = {
    wrk: (server, c, seconds) => wrk(server.url, c, seconds, CONDITIONAL, [`cond-${c}-w${runCounter++}`, server.headersFile, String(c === 1 ? 64 : CONDITIONAL_KEYS), String(KIB), server.host]),
    // Each loop writes its own 16 keys, each at the version its last write produced (0 creates the key).
    node: () => {
      const store = `cond-node-${runCounter++}`;
      const versions = new Map();
      return (loop, n) => {
        const key = `k-${loop}-${n % 16}`;
        const version = versions.get(key) ?? 0;
        versions.set(key, version + 1);
        return ["/vss/putObjects", auth(n), putObjectRequest(store, [[key, version, stamped(value, stampCounter++)]])];
      };
    },
  };
  const row = (id, name, conns, spec, warmup = 1) => ({ id: `${id}@${conns}`, name, conns, spec: { ...spec, key: id }, warmup });
  return [
    row("get", "getObject 1 KiB", 1, get),
    row("get", "getObject 1 KiB", 32, get),
    row("put", "putObjects 1 × 1 KiB at -1", 1, put),
    row("put", "putObjects 1 × 1 KiB at -1", 32, put),
    row("cond", "putObjects 1 × 1 KiB, conditional", 1, conditional),
    row("cond", "putObjects 1 × 1 KiB, conditional", 32, conditional),
    row("put10", "putObjects 10 × 1 KiB at -1", 32, put10),
    row("list", "listKeyVersions 100 of a 100-key store", 32, list),
    // 64 identities: every one's first requests verify 32 header values and (ours) wake its Durable Object.
    row("wallets", "64 wallets, each its own store, 1 × 1 KiB puts", 64, wallet, 5),
  ];
}

/** Writes the request files of `server` ({url, host, dir}) for every static workload; records their paths. */
export function prepare(server, ids, rows) {
  server.files = {};
  for (const { spec } of rows) {
    if (spec.make && !server.files[spec.key]) server.files[spec.key] = requestFile(server.dir, spec.key, server.host, spec.count, spec.make);
  }
  server.headersFile = `${server.dir}/headers.txt`; // conditional.lua reads one header value a line
  writeFileSync(server.headersFile, ids.pool.join("\n") + "\n");
  return server;
}

/** The Node client's request generator for a row. */
function nodeNext(spec) {
  if (spec.node) return spec.node();
  return () => spec.make(stampCounter++);
}

/** wrk on `row` against `server` for `seconds`. */
export function runWrk(server, row, seconds) {
  if (row.spec.wrk) return row.spec.wrk(server, row.conns, seconds);
  return wrk(server.url, row.conns, seconds, REPLAY, [server.files[row.spec.key]]);
}

/** The Node client on `row` against `server` for `seconds` (after a 1 s warm-up of its own sockets). */
export const runNode = (server, row, seconds) => nodeLoad({ url: server.url, connections: row.conns, seconds, next: nodeNext(row.spec) });

/** Before timing: a value comes back byte-exact, and one request of every workload answers 200. */
export async function sanity(server, ids, rows) {
  const agent = keepAlive(1);
  try {
    const value = randomBytes(KIB);
    await call(agent, server.url, "/vss/putObjects", ids.auth(0), putObjectRequest("sanity", [["s", -1, value]]));
    const got = decodeGetObject(await call(agent, server.url, "/vss/getObject", ids.auth(1), getObjectRequest("sanity", "s")));
    if (!got.value.equals(value)) throw new Error(`${server.name}: getObject did not return the value it was given`);
    const listed = decodeList(await call(agent, server.url, "/vss/listKeyVersions", ids.auth(0), listKeyVersionsRequest("list-100", { pageSize: 100 })));
    if (listed.keys.length !== 100) throw new Error(`${server.name}: listed ${listed.keys.length} of the 100 keys`);
    for (const row of rows) {
      const next = nodeNext(row.spec);
      for (let n = 0; n < 2; n++) await call(agent, server.url, ...next(0, n));
    }
  } finally {
    agent.destroy();
  }
}

/**
 * A wallet's restore: one client lists every key of the 10 000-key store (listKeyVersions pages, the server's own
 * page size, as ldk-node asks), then reads each with getObject, 8 at a time; every value checked byte-exact.
 */
export async function restore(server, ids) {
  const agent = keepAlive(RESTORE_CONCURRENCY);
  try {
    const started = performance.now();
    const keys = [];
    let pages = 0;
    for (let token; ; ) {
      const page = decodeList(await call(agent, server.url, "/vss/listKeyVersions", ids.auth(pages), listKeyVersionsRequest("restore", { prefix: "r-", pageToken: token })));
      pages++;
      keys.push(...page.keys.map((k) => k.key));
      token = page.nextPageToken;
      if (!token || page.keys.length === 0) break;
    }
    const listed = performance.now();
    if (new Set(keys).size !== RESTORE_KEYS) throw new Error(`${server.name}: the restore listed ${new Set(keys).size} distinct keys of ${RESTORE_KEYS}`);
    let next = 0;
    await Promise.all(
      Array.from({ length: RESTORE_CONCURRENCY }, async () => {
        while (next < keys.length) {
          const key = keys[next++];
          const got = decodeGetObject(await call(agent, server.url, "/vss/getObject", ids.auth(next), getObjectRequest("restore", key)));
          if (!got.value.equals(restoreValue(ids, Number(key.slice(2))))) throw new Error(`${server.name}: ${key} came back different`);
        }
      }),
    );
    const done = performance.now();
    return { seconds: (done - started) / 1000, listSeconds: (listed - started) / 1000, getSeconds: (done - listed) / 1000, pages };
  } finally {
    agent.destroy();
  }
}
