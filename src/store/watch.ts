import { encodeNotification } from "../codec/multidevice";

/** MULTIDEVICE.md §6: watchers one store accepts, and how long a watch ticket is valid. */
export const MAX_WATCHERS = 32;
export const TICKET_TTL_MS = 60_000;
/** Tickets outstanding per store at most; the oldest is dropped past it. */
const MAX_TICKETS = 64;
const TICKET_BYTES = 16;

/** What a watcher is told after a commit. */
export interface Committed {
  revision: number;
  globalVersion: number;
  leaseEpoch?: number;
}

/** What each socket remembers across hibernation: the newest revision it was sent. */
interface Attachment {
  sent: number;
}

/**
 * The watchers of one store (MULTIDEVICE.md §6): WebSockets accepted with the hibernation API, so that idle ones
 * cost nothing (the runtime answers pings without waking the object). After a commit, every watcher gets one
 * Notification once the write is durable (`storage.sync()`); commits that land meanwhile are coalesced into the
 * newest, and no socket is ever sent a revision it already has.
 */
export class Watchers {
  readonly #tickets = new Map<string, number>();
  #pending: Committed | null = null;
  #flushing = false;

  constructor(
    readonly ctx: DurableObjectState,
    /** The store's current revision and global version (0, 0 for a store never written). */
    readonly current: () => Committed,
  ) {}

  /** A single-use ticket valid for TICKET_TTL_MS, kept in memory (a ticket lost to an eviction is asked again). */
  issueTicket(now: number): { nonce: string; expiresAtMs: number } {
    for (const [nonce, expires] of this.#tickets) if (expires <= now || this.#tickets.size >= MAX_TICKETS) this.#tickets.delete(nonce);
    const nonce = Array.from(crypto.getRandomValues(new Uint8Array(TICKET_BYTES)), (b) => b.toString(16).padStart(2, "0")).join("");
    const expiresAtMs = now + TICKET_TTL_MS;
    this.#tickets.set(nonce, expiresAtMs);
    return { nonce, expiresAtMs };
  }

  /** Uses a ticket up: true once, for a ticket this store issued and that has not expired. */
  consumeTicket(nonce: string, now: number): boolean {
    const expires = this.#tickets.get(nonce);
    this.#tickets.delete(nonce);
    return expires !== undefined && expires > now;
  }

  /** Accepts a watcher (the Worker checked the request): 101 with the socket, or 429 past MAX_WATCHERS. */
  accept(): Response {
    if (this.ctx.getWebSockets().length >= MAX_WATCHERS) return new Response(null, { status: 429 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    const now = this.current();
    this.#send(server, now);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Called after every committed write: notifies every watcher once the write is durable. */
  committed(write: Committed): void {
    if (this.ctx.getWebSockets().length === 0) return;
    this.#pending = write;
    if (this.#flushing) return;
    this.#flushing = true;
    this.ctx.waitUntil(this.#flush());
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending) {
        await this.ctx.storage.sync();
        const write = this.#pending;
        this.#pending = null;
        for (const socket of this.ctx.getWebSockets()) this.#send(socket, write);
      }
    } finally {
      this.#flushing = false;
    }
  }

  #send(socket: WebSocket, write: Committed): void {
    const sent = (socket.deserializeAttachment() as Attachment | null)?.sent ?? -1;
    if (write.revision <= sent) return;
    try {
      socket.send(encodeNotification(write.revision, write.globalVersion, write.leaseEpoch));
      socket.serializeAttachment({ sent: write.revision } satisfies Attachment);
    } catch {
      // the socket is closing; the runtime reports its close separately
    }
  }
}

/** Answers a watcher's close frame with a close (RFC 6455); codes that may not be sent become 1000. */
export function answerClose(socket: WebSocket, code: number): void {
  try {
    socket.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, "bye");
  } catch {
    // already closed
  }
}
