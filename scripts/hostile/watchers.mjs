// The watcher phase of `npm run test:hostile` (issue 19): many open watch sockets against the deploy bundle, the way
// a hostile or simply large population of devices would hold them. Measures what each socket costs workerd,
// checks the per-identity bound (VSS_WATCHERS_PER_IDENTITY, default 64), and that the memory of closed sockets is
// used again by the next ones instead of growing. Clients offer permessage-deflate, as browsers do.
import WebSocket from "ws";
import { memoryOf } from "../lib/local-server.mjs";
import { SigsKey } from "../lib/vss-wire.mjs";

const MIB = 1024 * 1024;
/** The default VSS_WATCHERS_PER_IDENTITY and the per-store limit (MULTIDEVICE.md §6). */
const PER_IDENTITY = 64;
const PER_STORE = 32;
const IDENTITIES = 16;
/**
 * The stated bound per open watcher, store objects included (README § Security): measured at ~110–120 KiB with
 * WebSocket compression off; with permessage-deflate negotiated it was ~330 KiB (zlib's windows on every socket).
 */
export const WATCHER_COST_BOUND_KIB = 160;

function open(port, key, storeId) {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/vss/watch?store_id=${storeId}`, { headers: { authorization: key.header() } });
    socket.once("message", () => resolve({ socket, status: 101 }));
    socket.once("unexpected-response", (_request, response) => resolve({ socket: null, status: response.statusCode }));
    socket.once("error", () => resolve({ socket: null, status: 0 }));
  });
}

async function openAll(port, keys) {
  const sockets = [];
  for (const key of keys) {
    for (const storeId of ["phone", "laptop"]) {
      for (let i = 0; i < PER_STORE; i++) {
        const opened = await open(port, key, storeId);
        if (!opened.socket) throw new Error(`watcher ${sockets.length + 1} was refused with ${opened.status}`);
        sockets.push(opened.socket);
      }
    }
  }
  return sockets;
}

async function closeAll(sockets) {
  await Promise.all(sockets.map((s) => new Promise((resolve) => (s.readyState === WebSocket.CLOSED ? resolve() : (s.once("close", resolve), s.close())))));
}

const settle = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs the phase; `check(name, ok, detail)` records each result. Returns the measured cost per watcher in KiB. */
export async function watcherPhase(port, workerdPid, check) {
  const keys = Array.from({ length: IDENTITIES }, () => new SigsKey());
  const before = memoryOf(workerdPid).rss;
  const first = await openAll(port, keys);
  await settle(2000);
  const opened = memoryOf(workerdPid).rss;
  const perWatcherKib = (opened - before) / first.length / 1024;
  check(`${first.length} open watchers (${IDENTITIES} identities × 2 stores × ${PER_STORE}) cost ≤ ${WATCHER_COST_BOUND_KIB} KiB each`, perWatcherKib <= WATCHER_COST_BOUND_KIB, `${perWatcherKib.toFixed(0)} KiB each (${((opened - before) / MIB).toFixed(0)} MiB)`);
  const extra = await open(port, keys[0], "tablet");
  check(`an identity's watcher past ${PER_IDENTITY} is refused with 429`, extra.status === 429, `status ${extra.status}`);
  await closeAll(first);
  await settle(3000);
  const closed = memoryOf(workerdPid).rss;
  const second = await openAll(port, keys);
  await settle(2000);
  const reopened = memoryOf(workerdPid).rss;
  const growth = (reopened - closed) / MIB;
  const firstGrowth = (opened - before) / MIB;
  check("closed watchers' memory is used again: as many new ones grow workerd by < 25 % of the first round", growth < firstGrowth * 0.25, `first round +${firstGrowth.toFixed(0)} MiB, after closing ${((closed - before) / MIB).toFixed(0)} MiB above the start, second round +${growth.toFixed(0)} MiB`);
  await closeAll(second);
  return perWatcherKib;
}
