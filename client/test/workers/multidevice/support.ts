import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sigsAuth, type Clock, type FetchFunction, type VssClientOptions, type WebSocketConstructor, type WebSocketLike } from "../../../src/index.js";
import { newClient, serverFetch } from "../support.js";

/** Two clients of one identity: two devices of one wallet. */
export function devicesOfOneWallet(count: number, options: VssClientOptions = {}) {
  const secretKey = secp256k1.utils.randomSecretKey();
  return Array.from({ length: count }, () => newClient({ headerProvider: sigsAuth(secretKey), ...options }));
}

/** A fetch that counts requests per operation (`/putObjects` …) and lets a test hold or fail the next ones. */
export function controlledFetch(inner: FetchFunction = serverFetch) {
  const counts: Record<string, number> = {};
  /** Per operation: what the next requests do instead of passing through, consumed in order. */
  const plans: Record<string, ("hang" | "fail" | (() => Promise<void>))[]> = {};
  const fetcher: FetchFunction = async (input, init) => {
    const operation = new URL(input).pathname.replace(/^\/vss/, "");
    counts[operation] = (counts[operation] ?? 0) + 1;
    const plan = plans[operation]?.shift();
    if (plan === "fail") throw new TypeError("network down (test)");
    if (plan === "hang") {
      return new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true }));
    }
    if (plan) await plan();
    return inner(input, init);
  };
  const count = (operation: string) => counts[operation] ?? 0;
  const plan = (operation: string, ...steps: ("hang" | "fail" | (() => Promise<void>))[]) => (plans[operation] ??= []).push(...steps);
  return { fetch: fetcher, count, plan };
}

/** A clock that moves only when told, firing due timers in time order. */
export class ManualClock implements Clock {
  #now = 1_000_000;
  #next = 1;
  readonly #timers = new Map<number, { at: number; run: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(run: () => void, ms: number): number {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), run });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, running each timer due on the way at its own time. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].run();
    }
    this.#now = target;
  }

  /** When the pending timers fire, relative to now. */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }
}

/** How the in-process WebSocket hands frames to the watch: as they come (ArrayBuffer), or transformed (e.g. Blobs). */
export type FrameShape = (data: ArrayBuffer, index: number) => unknown;

/**
 * `new WebSocket(url)` over the real Worker in-process: the upgrade request goes through `serverFetch`, and the
 * server's socket is the real one. `sockets` lets a test drop a connection (as a network would); `gate` holds
 * each connection attempt until the test lets it through.
 */
export function inProcessWebSocket(options: { frames?: FrameShape; gate?: () => Promise<void> } = {}) {
  const sockets: InProcessSocket[] = [];
  const Constructor = class extends InProcessSocket {
    constructor(url: string) {
      super(url, options);
      sockets.push(this);
    }
  };
  return { WebSocket: Constructor as WebSocketConstructor, sockets };
}

type Listener = (event: unknown) => void;

class InProcessSocket implements WebSocketLike {
  binaryType = "blob";
  readonly #listeners: Record<string, Listener[]> = {};
  #socket: WebSocket | undefined;
  #ended = false;
  #frames = 0;

  constructor(
    readonly url: string,
    readonly options: { frames?: FrameShape; gate?: () => Promise<void> },
  ) {
    void this.#open().catch((error: unknown) => this.#end(1006, String(error)));
  }

  addEventListener(type: "open" | "message" | "close" | "error", listener: Listener): void {
    (this.#listeners[type] ??= []).push(listener);
  }

  #emit(type: string, event: unknown): void {
    for (const listener of this.#listeners[type] ?? []) listener(event);
  }

  async #open(): Promise<void> {
    await this.options.gate?.();
    const response = await serverFetch(this.url.replace(/^ws/, "http"), { headers: { upgrade: "websocket" } });
    const socket = response.webSocket;
    if (response.status !== 101 || !socket) return this.#end(1006, `upgrade answered ${response.status}`);
    socket.accept();
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      if (this.#ended) return;
      const data = event.data;
      this.#emit("message", { data: typeof data === "string" || !this.options.frames ? data : this.options.frames(data, this.#frames++) });
    });
    socket.addEventListener("close", (event) => this.#end(event.code, event.reason));
    this.#emit("open", {});
  }

  #end(code: number, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    if (code === 1006) this.#emit("error", { message: reason });
    this.#emit("close", { code, reason });
  }

  /** Closes from the client side. */
  close(code = 1000, reason = ""): void {
    try {
      this.#socket?.close(code, reason);
    } catch {
      // already closed
    }
    this.#end(code, reason);
  }

  /** The network drops the connection: the watch sees an abnormal close. */
  drop(): void {
    this.close(1000, "dropped by the test");
  }

  get open(): boolean {
    return this.#socket !== undefined && !this.#ended;
  }
}
