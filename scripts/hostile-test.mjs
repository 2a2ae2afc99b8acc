#!/usr/bin/env node
// `npm run test:hostile`: the attacks of issue 12 against the deployable bundle in workerd, as `npm start` serves it
// (nothing in front, so HTTP framing reaches the Worker as a client sent it). While two honest wallets keep writing and reading,
// bursts of hostile bodies at the size limit hit the server: item floods, chunked bodies with a false small
// Content-Length, a 200 MiB getObject body, uploads abandoned midway, conflicting puts at the limit. Checks: every
// hostile request is refused as it should be (its 4xx, a dropped connection once refused, or — when the isolate's
// memory budget is full — a retryable 503; never a 500), the wallets never fail, and workerd's peak memory grows by
// at most MEMORY_BOUND_MIB. Before the attacks, 2 × 1 024 watch sockets (scripts/hostile/watchers.mjs): their cost
// each, the per-identity bound, and their memory used again once closed. Ends with "N passed, N failed".
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { buildBundle, memoryOf, startServer } from "./lib/local-server.mjs";
import { SigsKey, decodeError, decodeGetObject, getObjectRequest, putObjectRequest, varint } from "./lib/vss-wire.mjs";
import { watcherPhase } from "./hostile/watchers.mjs";

const MIB = 1024 * 1024;
/** The default VSS_MAX_REQUEST_BYTES (wrangler.toml). */
const LIMIT = 40 * MIB;
/** Hostile requests in flight at once, per burst. */
const CONCURRENCY = 8;
/**
 * The stated bound: bursts of CONCURRENCY hostile bodies at the limit grow workerd's peak RSS by at most this much.
 * Floods and framing tricks are refused after a few KiB; well-formed conflicting puts at the limit are read whole
 * (40 MiB each) one or so at a time, as the isolate's 64 MiB memory budget admits them, and refused before anything
 * is staged. Without the budget, 8 of them took workerd past 450 MiB and reset the isolate under the wallets.
 */
const MEMORY_BOUND_MIB = 256;
/**
 * How long an honest wallet's call may take while the attacks run. ldk-node gives each attempt 10 s and retries
 * for three minutes; here, on one shared 2-core machine, one workerd thread also receives every hostile byte.
 */
const WALLET_DEADLINE_MS = 30_000;

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
}

const attacker = new SigsKey();

/**
 * A raw HTTP/1.1 exchange: `head` lines, then `body` chunks written as given. Resolves to the status, or 0 when the
 * connection ended without one: -2 if the client had finished writing its body by then (nothing was refused early),
 * 0 if it was still writing (the server cut it short; the kernel's reset can overtake the refusal it sent first).
 */
function raw(port, head, writeBody, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let bodySent = false;
    const done = () => {
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve(status ? Number(status) : bodySent ? -2 : 0);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("data", (data) => {
      answer += data.toString("latin1");
      if (/\r\n\r\n/.test(answer)) {
        clearTimeout(timer);
        done();
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      done();
    });
    socket.on("connect", async () => {
      socket.write(`${head.join("\r\n")}\r\n\r\n`);
      try {
        await writeBody(socket);
        bodySent = !socket.destroyed;
      } catch {
        // the server closed the connection: expected once it has answered
      }
    });
  });
}

const write = (socket, data) => new Promise((resolve, reject) => (socket.destroyed ? reject(new Error("closed")) : socket.write(data, (e) => (e ? reject(e) : resolve()))));

/** Sends `total` bytes after `prefix` in HTTP chunked framing, in 1 MiB chunks. */
async function chunked(socket, prefix, total) {
  const chunk = Buffer.alloc(MIB);
  const frame = (data) => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
  await write(socket, frame(prefix));
  for (let sent = 0; sent < total && !socket.destroyed; sent += chunk.length) await write(socket, frame(chunk));
  await write(socket, "0\r\n\r\n");
}

const headers = (path, extra) => [`POST /vss/${path} HTTP/1.1`, "Host: 127.0.0.1", `authorization: ${attacker.header()}`, "content-type: application/octet-stream", ...extra];

/** The hostile requests, each resolving to the status it got. */
function hostile(url, port) {
  const flood = Buffer.alloc(LIMIT);
  for (let i = 0; i < flood.length; i += 2) flood[i] = 0x1a;
  const itemHeader = (size) => Buffer.concat([Buffer.from([0x1a]), varint(size)]);
  const conflicting = putObjectRequest("victim", Array.from({ length: 1000 }, (_, i) => [`k${i}`, 5, Buffer.alloc(Math.floor(LIMIT / 1000) - 64)]));
  const post = (path, body) => fetch(`${url}/vss/${path}`, { method: "POST", headers: { authorization: attacker.header() }, body }).then(async (r) => (await r.arrayBuffer(), r.status));
  return {
    // Refused after a few KiB while the client is still writing megabytes: the socket closes with unread bytes, and
    // the kernel's reset may reach the client before it reads the 4xx (measured: 0 to 8 of 8, runs apart).
    "item flood at the limit (1a 00 …)": { expect: [400, 0], run: () => raw(port, headers("putObjects", [`content-length: ${flood.length}`]), (s) => write(s, flood)) },
    "chunked put with a false 10-byte Content-Length": {
      expect: [413, 0],
      run: () => raw(port, headers("putObjects", ["transfer-encoding: chunked", "content-length: 10"]), (s) => chunked(s, itemHeader(LIMIT + 8 * MIB), LIMIT + 8 * MIB)),
    },
    "200 MiB getObject body, chunked, Content-Length 30": {
      expect: [413, 0],
      run: () => raw(port, headers("getObject", ["transfer-encoding: chunked", "content-length: 30"]), (s) => chunked(s, getObjectRequest("s", "k"), 200 * MIB)),
    },
    "upload abandoned midway": {
      expect: [0],
      run: () =>
        raw(port, headers("putObjects", [`content-length: ${LIMIT}`]), async (s) => {
          await write(s, itemHeader(LIMIT - 8));
          await write(s, Buffer.alloc(4 * MIB));
          s.destroy();
        }),
    },
    "1000-item conflicting put at the limit": { expect: [409, 503], run: () => post("putObjects", conflicting) },
  };
}

/** An honest wallet: put then get, again and again, until stopped; records failures and the slowest call. */
function wallet(url, name) {
  const key = new SigsKey();
  const stats = { calls: 0, failures: [], slowestMs: 0 };
  let running = true;
  const call = async (path, body) => {
    const started = Date.now();
    const response = await fetch(`${url}/vss/${path}`, { method: "POST", headers: { authorization: key.header() }, body, signal: AbortSignal.timeout(WALLET_DEADLINE_MS) });
    const bytes = Buffer.from(await response.arrayBuffer());
    stats.slowestMs = Math.max(stats.slowestMs, Date.now() - started);
    stats.calls++;
    return { status: response.status, bytes };
  };
  const loop = (async () => {
    for (let i = 0; running; i++) {
      try {
        const value = Buffer.from(`${name} ${i}`);
        const put = await call("putObjects", putObjectRequest("wallet", [["k", -1, value]]));
        if (put.status !== 200) stats.failures.push(`put ${put.status} ${decodeError(put.bytes).message}`);
        const got = await call("getObject", getObjectRequest("wallet", "k"));
        if (got.status !== 200 || !decodeGetObject(got.bytes).value.equals(value)) stats.failures.push(`get ${got.status}`);
      } catch (error) {
        stats.failures.push(`${error} (${error?.cause?.code ?? error?.cause ?? "no cause"})`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return { stats, stop: async () => ((running = false), await loop) };
}

async function metrics500(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split("\n").filter((line) => /status="500"/.test(line));
}

const work = mkdtempSync(`${tmpdir()}/vss-hostile-`);
let server;
try {
  const bundle = buildBundle(`${work}/bundle`);
  server = await startServer({ bundle, persistTo: `${work}/state`, rateLimits: false });
  const [workerd] = server.workerdPids();
  const wallets = [wallet(server.url, "alice"), wallet(server.url, "bob")];
  await new Promise((r) => setTimeout(r, 2000));
  let baseline = memoryOf(workerd);
  console.log(`workerd ${workerd}: RSS ${(baseline.rss / MIB).toFixed(0)} MiB, peak ${(baseline.hwm / MIB).toFixed(0)} MiB before the attacks`);

  // Watchers first, on a fresh isolate, so that their cost is not hidden in memory the attacks left behind.
  await watcherPhase(server.port, workerd, check);
  baseline = memoryOf(workerd);
  for (const [name, attack] of Object.entries(hostile(server.url, server.port))) {
    const started = Date.now();
    const statuses = await Promise.all(Array.from({ length: CONCURRENCY }, () => attack.run().catch(() => -1)));
    const wrong = statuses.filter((s) => !attack.expect.includes(s));
    const now = memoryOf(workerd);
    const expected = attack.expect.map((s) => (s === 0 ? "connection ended mid-body" : String(s))).join(" or ");
    // A refusal the reset overtook is as good as one read (0 means the connection ended while the client was still sending);
    // where no cut is expected, at least one answer must be the refusal itself.
    const refused = attack.expect.includes(0) || statuses.includes(attack.expect[0]);
    check(`${name}: ${CONCURRENCY} at once → ${expected}`, wrong.length === 0 && refused, `statuses ${[...new Set(statuses)].join(",")}; ${Date.now() - started} ms; peak RSS ${(now.hwm / MIB).toFixed(0)} MiB`);
  }

  const after = memoryOf(workerd);
  const growthMib = (after.hwm - baseline.hwm) / MIB;
  check(`workerd's peak memory grew by at most ${MEMORY_BOUND_MIB} MiB`, growthMib <= MEMORY_BOUND_MIB, `grew ${growthMib.toFixed(0)} MiB (peak ${(after.hwm / MIB).toFixed(0)} MiB)`);
  const stats = await Promise.all(wallets.map((w) => w.stop().then(() => w.stats)));
  for (const [i, s] of stats.entries()) {
    check(`honest wallet ${i + 1} never failed, no call longer than ${WALLET_DEADLINE_MS} ms`, s.failures.length === 0 && s.calls > 0, `${s.calls} calls, slowest ${s.slowestMs} ms${s.failures.length ? `, failures: ${s.failures.slice(0, 3).join("; ")}` : ""}`);
  }
  const get = getObjectRequest("s", "k");
  const trimmed = await raw(server.port, [`POST /vss/getObject HTTP/1.1`, "Host: 127.0.0.1", `authorization: ${new SigsKey().header()} \t `, `content-length: ${get.length}`], (s) => write(s, get));
  check("an authorization header with trailing spaces and a tab is accepted", trimmed === 404, `status ${trimmed}`);
  const faults = await metrics500(server.url);
  check("no request was answered 500 (a server fault)", faults.length === 0, faults.join("; "));
} catch (error) {
  check("the hostile run completed", false, error instanceof Error ? error.stack : String(error));
} finally {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
