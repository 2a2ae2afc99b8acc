// The multi-device rows of `npm run bench` (issue 9): a restore with getObjects against one getObject per key, the
// latency from a put's answer to its watcher's notification, and puts with 1 000 idle watchers connected.
import WebSocket from "ws";
import { SigsKey, decodeGetObject, decodeGetObjects, decodeNotification, getObjectRequest, getObjectsRequest, putObjectRequest } from "../lib/vss-wire.mjs";

const RESTORE_KEYS = 10_000;
const BATCH = 100;
const LATENCY_PUTS = 300;
const IDLE_STORES = 100;
const IDLE_PER_STORE = 10;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** Opens a watcher on `storeId` with header authentication; resolves once its first notification arrived. */
function openWatcher(url, storeId, authorization, onNotification = () => {}) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace("http", "ws")}/vss/watch?store_id=${encodeURIComponent(storeId)}`, { headers: { authorization } });
    let first = true;
    socket.on("message", (data) => {
      const notification = decodeNotification(Buffer.from(data));
      onNotification(notification, performance.now());
      if (first) {
        first = false;
        resolve(socket);
      }
    });
    socket.on("error", reject);
  });
}

/**
 * Restoring a store of 10 000 keys with 1 KiB values, one client: getObjects (100 keys a call) against one
 * getObject per key. Returns both times in seconds.
 */
async function restore(call, auth) {
  const keys = Array.from({ length: RESTORE_KEYS }, (_, i) => `restore-${i}`);
  const value = Buffer.alloc(1024, 0x72);
  for (let i = 0; i < keys.length; i += 1000) {
    await call("/vss/putObjects", auth(i), putObjectRequest("restore", keys.slice(i, i + 1000).map((k) => [k, -1, value])));
  }
  let started = performance.now();
  let read = 0;
  for (let i = 0; i < keys.length; i += BATCH) {
    const answer = decodeGetObjects(await call("/vss/getObjects", auth(i), getObjectsRequest("restore", keys.slice(i, i + BATCH))));
    if (answer.remainingKeys.length > 0 || answer.missingKeys.length > 0) throw new Error("getObjects did not answer a whole batch");
    read += answer.values.length;
  }
  const batched = (performance.now() - started) / 1000;
  started = performance.now();
  for (const [i, k] of keys.entries()) {
    if (decodeGetObject(await call("/vss/getObject", auth(i), getObjectRequest("restore", k))).value.length !== value.length) throw new Error("bad value");
  }
  const single = (performance.now() - started) / 1000;
  if (read !== keys.length) throw new Error(`getObjects read ${read} of ${keys.length} keys`);
  return { batched, single };
}

/** Puts one after another on a watched store: the put's own latency, and from its answer to the watcher's frame. */
async function notificationLatency(url, call, auth) {
  const arrived = new Map();
  const socket = await openWatcher(url, "latency", auth(0), (n, at) => arrived.set(n.revision, at));
  const puts = [];
  const notify = [];
  const value = Buffer.alloc(1024, 0x6c);
  for (let i = 0; i < LATENCY_PUTS; i++) {
    const sent = performance.now();
    await call("/vss/putObjects", auth(i), putObjectRequest("latency", [["k", -1, value]]));
    const answered = performance.now();
    puts.push(answered - sent);
    const revision = i + 1;
    while (!arrived.has(revision)) await new Promise((r) => setTimeout(r, 0));
    notify.push(Math.max(0, arrived.get(revision) - answered));
  }
  socket.close();
  return { putP50: percentile(puts, 50), putP99: percentile(puts, 99), p50: percentile(notify, 50), p99: percentile(notify, 99) };
}

/**
 * Opens 1 000 idle watchers on 100 stores (10 each), each store its own identity's (one identity may hold 64:
 * VSS_WATCHERS_PER_IDENTITY); returns a function that closes them.
 */
async function idleWatchers(url) {
  const sockets = [];
  for (let s = 0; s < IDLE_STORES; s++) {
    const owner = new SigsKey();
    const opened = await Promise.all(Array.from({ length: IDLE_PER_STORE }, () => openWatcher(url, `idle-${s}`, owner.header())));
    sockets.push(...opened);
  }
  return { count: sockets.length, close: () => sockets.forEach((socket) => socket.close()) };
}

/**
 * The multi-device measurements. `putRps(tag)` runs the single-store put row under wrk and returns its req/s, so
 * that puts are measured with and without the idle watchers in the same run.
 */
export async function measureMultiDevice({ url, call, auth, putRps }) {
  console.log("bench: multi-device — restore of 10 000 keys, getObjects against getObject");
  const restored = await restore(call, auth);
  console.log(`  getObjects ${restored.batched.toFixed(2)} s, getObject ${restored.single.toFixed(2)} s`);
  console.log("bench: multi-device — notification latency");
  const latency = await notificationLatency(url, call, auth);
  console.log(`  put p50 ${latency.putP50.toFixed(2)} ms p99 ${latency.putP99.toFixed(2)} ms; notification p50 ${latency.p50.toFixed(2)} ms p99 ${latency.p99.toFixed(2)} ms`);
  console.log("bench: multi-device — puts with and without 1 000 idle watchers");
  // Without, with, with, without: the averages cancel the machine's drift over the four runs.
  const before = putRps("no-watchers-1");
  const idle = await idleWatchers(url);
  const withWatchers = (putRps("idle-watchers-1") + putRps("idle-watchers-2")) / 2;
  idle.close();
  await new Promise((settled) => setTimeout(settled, 2000)); // the stores answer the 1 000 close frames first
  const without = (before + putRps("no-watchers-2")) / 2;
  console.log(`  puts ${without.toFixed(0)} req/s without, ${withWatchers.toFixed(0)} req/s with ${idle.count} idle watchers`);
  return { restored, latency, without, withWatchers, watchers: idle.count };
}

/** The rows and targets of the multi-device measurements, for BENCHMARKS.md. */
export function multiDeviceReport(m) {
  const x = (n) => `${n.toFixed(2)}×`;
  const verdict = (ok) => (ok ? "**met**" : "**MISSED**");
  const speedup = m.restored.single / m.restored.batched;
  const latencyRatio = m.latency.p99 / m.latency.putP99;
  const slowdown = 1 - m.withWatchers / m.without;
  const rows = [
    "| Multi-device | Measured | |",
    "| --- | ---: | --- |",
    `| restore 10 000 keys × 1 KiB, 1 client: getObjects (100 a call) | ${m.restored.batched.toFixed(2)} s | |`,
    `| restore 10 000 keys × 1 KiB, 1 client: one getObject per key | ${m.restored.single.toFixed(2)} s | |`,
    `| put answered → watcher's notification, p50 / p99 (${LATENCY_PUTS} puts) | ${m.latency.p50.toFixed(2)} / ${m.latency.p99.toFixed(2)} ms | put's own p50 / p99: ${m.latency.putP50.toFixed(2)} / ${m.latency.putP99.toFixed(2)} ms |`,
    `| single-store puts @32, without / with ${m.watchers} idle watchers on ${IDLE_STORES} stores (each the mean of 2 runs) | ${m.without.toFixed(0)} / ${m.withWatchers.toFixed(0)} req/s | |`,
  ];
  const targets = [
    `| restore with getObjects ≥ 5× faster than one getObject per key (1 client) | ${x(speedup)} | ${verdict(speedup >= 5)} |`,
    `| notification p99 (from the put's answer) ≤ 2× the put's own p99 | ${x(latencyRatio)} | ${verdict(latencyRatio <= 2)} |`,
    `| 1 000 idle watchers on 100 stores slow puts by ≤ 10 % | ${(slowdown * 100).toFixed(1)} % | ${verdict(slowdown <= 0.1)} |`,
  ];
  return { rows, targets };
}
