#!/usr/bin/env node
// `npm run test:crash`: durability under SIGKILL. Serves the deployable bundle in workerd with persisted state, drives
// a steady multi-client write load (single-item conditional puts, 4-item puts with global_version, 2–6 MiB values),
// kills the whole server process tree with SIGKILL at random moments (CRASH_KILLS, default 6), restarting on the same
// state each time. Then checks: every write answered 200 is present with its exact value and version; no multi-item
// put is partly visible; writes whose answer was lost are wholly applied or wholly absent; and the change feed
// (MULTIDEVICE.md §5) agrees: no acknowledged write is missing from it, no revision names an unapplied write.
// Ends with "N passed, N failed". Environment: CRASH_KILLS, CRASH_SEED.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { verify } from "./crash/verify.mjs";
import { buildBundle, descendants, freePort, killTree, startServer } from "./lib/local-server.mjs";
import { SigsKey, decodeError, decodeGetObject, getObjectRequest, putObjectRequest } from "./lib/vss-wire.mjs";

const KILLS = Number(process.env.CRASH_KILLS ?? 6);
let seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);
const SINGLE_WRITERS = 6;
const MULTI_WRITERS = 2;
const MULTI_ITEMS = 4;
const MIB = 1024 * 1024;
const BIG_PAUSE_MS = 250; // keeps the large-value store well under the default 1 GiB store quota
const BIG_VALUES = 80;

/** Seeded PRNG (mulberry32) for kill moments and value sizes; the seed is printed so a run can be replayed. */
function random() {
  let t = (seed = (seed + 0x6d2b79f5) >>> 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The value a key holds at a version: derived, so the checker needs only (key, version, size). */
function content(key, version, size) {
  const out = Buffer.alloc(size);
  const block = createHash("sha256").update(`${key}@${version}`).digest();
  for (let i = 0; i < size; i += block.length) block.copy(out, i);
  out.writeUInt32LE(size, 0);
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const key = new SigsKey();
let url;
let stopped = false;
let gate = { open: false, promise: null, resolve: null };
const newGate = () => {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  gate = { open: false, promise, resolve };
};
newGate();
const stats = { acked: 0, unknown: 0, conflicts: 0 };
const outstanding = new Map(); // request number → when it was sent (ms), until it is answered or lost
let requests = 0;
let killsInFlight = 0; // kills that landed while a write had waited ≥ 3 ms for its answer

/** One request: {status, body}, or null when the answer was lost (connection killed, refused, timed out). */
async function call(path, body) {
  const id = requests++;
  outstanding.set(id, performance.now());
  try {
    const response = await fetch(url + path, {
      method: "POST",
      headers: { authorization: key.header(), "content-type": "application/octet-stream" },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  } catch (error) {
    if (gate.open && !stopped) stats.lostWhileUp = `${error?.cause?.code ?? error?.name}: ${path}`;
    return null;
  } finally {
    outstanding.delete(id);
  }
}

/** Whether a write has waited at least `ms` for its answer: the server is busy with it, not about to answer. */
const busyFor = (ms) => [...outstanding.values()].some((sent) => performance.now() - sent >= ms);

/** Waits until the server is up again. */
async function serverUp() {
  while (!gate.open) await gate.promise;
}

/** Calls until an answer arrives (reads are idempotent). */
async function read(path, body) {
  for (;;) {
    await serverUp();
    const answer = await call(path, body);
    if (answer) return answer;
    await sleep(50);
  }
}

// Single-item writers: per key, create at 0, then update at 1 and at 2; a lost answer leaves {acked, maybe}.
const singles = new Map(); // key → { size, acked, maybe }
async function singleWriter(id) {
  for (let n = 0; !stopped; n++) {
    const k = `single-${id}-${n}`;
    const state = { size: 64 + Math.floor(random() * 4000), acked: 0, maybe: null };
    singles.set(k, state);
    for (let version = 0; version < 3 && !stopped; version++) {
      await serverUp();
      const answer = await call("/vss/putObjects", putObjectRequest("singles", [[k, version, content(k, version + 1, state.size)]]));
      if (answer === null) {
        state.maybe = version + 1;
        stats.unknown++;
        break;
      }
      if (answer.status !== 200) throw new Error(`put ${k}@${version} answered ${answer.status}: ${decodeError(answer.body).message}`);
      state.acked = version + 1;
      stats.acked++;
    }
  }
}

// Multi-item writers: each owns a store and its global version; put n writes MULTI_ITEMS new keys atomically.
const multis = []; // { store, n, applied: true | false }
async function multiWriter(id) {
  const store = `multi-${id}`;
  let globalVersion = 0;
  for (let n = 0; !stopped; n++) {
    const items = Array.from({ length: MULTI_ITEMS }, (_, j) => [`m-${n}-${j}`, 0, content(`${store}/m-${n}-${j}`, 1, 200)]);
    const record = { store, n, applied: false };
    multis.push(record);
    await serverUp();
    const answer = await call("/vss/putObjects", putObjectRequest(store, items, { globalVersion }));
    if (answer !== null && answer.status !== 200) throw new Error(`multi put ${store}#${n} answered ${answer.status}: ${decodeError(answer.body).message}`);
    if (answer !== null) {
      stats.acked++;
      record.applied = true;
      globalVersion++;
      continue;
    }
    stats.unknown++;
    // The answer was lost: the store's global version says whether it applied (one writer per store).
    const now = decodeGetObject((await read("/vss/getObject", getObjectRequest(store, "global_version"))).body).version;
    if (now !== globalVersion && now !== globalVersion + 1) throw new Error(`${store}: global version ${now}, expected ${globalVersion} or ${globalVersion + 1}`);
    record.applied = now === globalVersion + 1;
    globalVersion = now;
  }
}

// Large values: 2–6 MiB, staged in chunks before the commit.
const bigs = new Map(); // key → { size, acked, maybe }
async function bigWriter() {
  for (let n = 0; !stopped && n < BIG_VALUES; n++) {
    if (n > 0) await sleep(BIG_PAUSE_MS);
    const k = `big-${n}`;
    const state = { size: 2 * MIB + Math.floor(random() * 4 * MIB), acked: 0, maybe: null };
    bigs.set(k, state);
    await serverUp();
    const answer = await call("/vss/putObjects", putObjectRequest("bigs", [[k, 0, content(k, 1, state.size)]]));
    if (answer === null) {
      state.maybe = 1;
      stats.unknown++;
    } else if (answer.status !== 200) {
      throw new Error(`put ${k} answered ${answer.status}: ${decodeError(answer.body).message}`);
    } else {
      state.acked = 1;
      stats.acked++;
    }
  }
}

let passed = 0;
let failed = 0;
function check(name, failures) {
  if (failures.length === 0) {
    passed++;
    console.log(`✓ ${name}`);
  } else {
    failed++;
    console.log(`✗ ${name}: ${failures.length} failures\n    ${failures.slice(0, 10).join("\n    ")}`);
  }
}

async function main() {
  const work = mkdtempSync(`${tmpdir()}/vss-crash-`);
  console.log(`crash test: seed ${seed}, ${KILLS} kills, state in ${work}`);
  const bundle = buildBundle(`${work}/bundle`);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const start = () => startServer({ bundle, persistTo: `${work}/state`, port, rateLimits: false });
  let server = await start();
  gate.open = true;
  gate.resolve();
  const writers = [
    ...Array.from({ length: SINGLE_WRITERS }, (_, i) => singleWriter(i)),
    ...Array.from({ length: MULTI_WRITERS }, (_, i) => multiWriter(i)),
    bigWriter(),
  ];
  const writing = Promise.all(writers);
  let writerError = null;
  writing.catch((error) => (writerError = error));
  const started = Date.now();
  try {
    for (let kill = 1; kill <= KILLS && !writerError; kill++) {
      const before = { ...stats };
      await sleep(1500 + random() * 4500);
      // Kill while the server is working on writes, not in a moment between answers (up to 2 s to find one), and at
      // once: the process tree is listed beforehand, as listing it takes long enough for answers to go out.
      const tree = descendants(server.pid);
      for (const until = Date.now() + 2000; !busyFor(3) && Date.now() < until; ) await sleep(1);
      if (busyFor(3)) killsInFlight++;
      newGate();
      killTree(server.pid, "SIGKILL", tree);
      const exit = await server.exited;
      await sleep(300); // let the writers notice their lost answers before counting them
      console.log(`kill ${kill}: SIGKILL after ${stats.acked - before.acked} more acknowledged writes, ${stats.unknown - before.unknown} answers lost (runner ${exit.signal ?? exit.code}); restarting${stats.lostWhileUp ? ` [last loss while up: ${stats.lostWhileUp}]` : ""}`);
      server = await start();
      gate.open = true;
      gate.resolve();
    }
    await sleep(2000);
    stopped = true;
    await writing;
    console.log(`load: ${stats.acked} writes acknowledged, ${stats.unknown} answers lost to kills, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    // An answer already on its way when the kill lands still arrives (the write was durable before it was sent), so
    // a kill does not always lose one; over all kills, some must have been cut for the "maybe" states to be tested.
    const cut = [];
    if (killsInFlight < KILLS) cut.push(`only ${killsInFlight} of ${KILLS} kills found a write waiting on the server`);
    if (stats.unknown === 0) cut.push("no kill cut a write before its answer");
    check(`the server was killed ${KILLS} times while writes were waiting on it (answers lost: ${stats.unknown})`, cut);
    await verify({ read, content, singles, bigs, multis, check, MULTI_WRITERS, MULTI_ITEMS });
  } finally {
    stopped = true;
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  failed++;
  console.log(`✗ crash test aborted: ${error?.stack ?? error}`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
