import { accountFor } from "../../account/vss-account";
import { encodeNotification } from "../../codec/multidevice";
import type { Env } from "../../env";

/** MULTIDEVICE.md §6: watchers one store accepts. */
export const MAX_WATCHERS = 32;

/** What a watcher is told after a commit: the revision, its digest (HISTORY.md §2), the global version, the lease epoch. */
export interface Committed {
  revision: number;
  digest: Uint8Array;
  globalVersion: number;
  leaseEpoch?: number;
}

/** Whose socket it is: the store's identity and store_id, which the object cannot recover from its own id. */
export interface WatcherOwner {
  identity: string;
  storeId: string;
}

/** What each socket remembers across hibernation: the newest revision it was sent, and whose store it watches. */
interface Attachment extends WatcherOwner {
  sent: number;
}

/**
 * The watchers of one store (MULTIDEVICE.md §6): WebSockets accepted with the hibernation API, so that idle ones
 * cost nothing (the runtime answers pings without waking the object). After a commit, every watcher gets one
 * Notification once the write is durable (`storage.sync()`); commits that land meanwhile are coalesced into the
 * newest, and no socket is ever sent a revision it already has.
 */
export class Watchers {
  #pending: Committed | null = null;
  #flushing = false;

  constructor(
    readonly ctx: DurableObjectState,
    readonly env: Env,
    /** The store's current revision and global version (0, 0 for a store never written). */
    readonly current: () => Committed,
  ) {}

  /**
   * Accepts a watcher (the Worker checked its credentials and ticket): 101 with the socket, or 429 past
   * MAX_WATCHERS. Either way the identity's account is told how many sockets the store now holds, so that the
   * identity's own limit counts what is really open.
   */
  async accept(owner: WatcherOwner): Promise<Response> {
    if (this.ctx.getWebSockets().length >= MAX_WATCHERS) {
      await this.report(owner, true);
      return new Response(null, { status: 429 });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ sent: -1, ...owner } satisfies Attachment);
    this.#send(server, this.current());
    await this.report(owner, true);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** The sockets open now, but `closing`. */
  open(closing?: WebSocket): number {
    return this.ctx.getWebSockets().filter((socket) => socket !== closing).length;
  }

  /**
   * Tells the identity's account how many sockets this store holds (best effort: the account asks again when in
   * doubt); `settles`: after accepting or refusing a watcher the account admitted.
   */
  async report(owner: WatcherOwner, settles: boolean, closing?: WebSocket): Promise<void> {
    try {
      await accountFor(this.env, owner.identity).reportWatchers(owner.storeId, this.open(closing), settles);
    } catch (error) {
      console.error("reporting watchers to the account failed; it counts them again when an identity reaches its limit", String(error));
    }
  }

  /** A socket closed or failed: its store tells the account how many remain. */
  async gone(socket: WebSocket): Promise<void> {
    const owner = this.ownerOf(socket);
    if (owner) await this.report(owner, false, socket);
  }

  /** The owner a socket was accepted for (null for a socket accepted before owners were recorded). */
  ownerOf(socket: WebSocket): WatcherOwner | null {
    const attachment = socket.deserializeAttachment() as Partial<Attachment> | null;
    return typeof attachment?.identity === "string" && typeof attachment.storeId === "string" ? { identity: attachment.identity, storeId: attachment.storeId } : null;
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
    const attachment = socket.deserializeAttachment() as Attachment | null;
    if (write.revision <= (attachment?.sent ?? -1)) return;
    try {
      socket.send(encodeNotification(write));
      socket.serializeAttachment({ identity: "", storeId: "", ...attachment, sent: write.revision } satisfies Attachment);
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

/** The internal request by which the Worker hands a checked watcher to its store (a socket cannot cross RPC). */
const OWNER_HEADER = "vss-watch-owner";
const TICKET_HEADER = "vss-watch-ticket";

/** What the store needs to accept a watcher: whose it is, and the ticket to use up (absent: header credentials). */
export interface WatchRequest {
  owner: WatcherOwner;
  ticket: { nonce: string; expiresAtMs: number } | null;
}

/** The request the Worker sends to the store's `fetch` (headers are Latin-1: names are percent-encoded). */
export function watchRequestInit(watch: WatchRequest): RequestInit {
  const headers: Record<string, string> = { upgrade: "websocket", [OWNER_HEADER]: `${encodeURIComponent(watch.owner.identity)}/${encodeURIComponent(watch.owner.storeId)}` };
  if (watch.ticket) headers[TICKET_HEADER] = `${watch.ticket.nonce}/${watch.ticket.expiresAtMs}`;
  return { headers };
}

/** The watch the Worker handed over, or null for a request that is not one. */
export function parseWatchRequest(request: Request): WatchRequest | null {
  const owner = request.headers.get(OWNER_HEADER)?.split("/");
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || owner?.length !== 2) return null;
  const [nonce = "", expires = ""] = request.headers.get(TICKET_HEADER)?.split("/") ?? [];
  try {
    const [identity = "", storeId = ""] = owner.map(decodeURIComponent);
    return { owner: { identity, storeId }, ticket: nonce === "" ? null : { nonce, expiresAtMs: Number(expires) } };
  } catch {
    return null;
  }
}
