import { fromBinary } from "@bufbuild/protobuf";
import { NotificationSchema } from "../gen/multidevice_pb.js";

/** The part of the WebSocket API a watch uses: what browsers, Workers, React Native and the `ws` package share. */
export interface WebSocketLike {
  binaryType: string;
  // `any`: each runtime types its events differently; only a message event's `data` is read.
  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: any) => void): void;
  close(code?: number, reason?: string): void;
}

/** `new WebSocket(url)`: globalThis.WebSocket in browsers and Workers; `WebSocket` of the `ws` package in Node 20. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A notified revision; `first` marks the one the server sends on connecting (the store's current revision). */
export interface NotifiedRevision {
  revision: bigint;
  /** The revision's digest (HISTORY.md §2); empty from a server without history. */
  digest: Uint8Array;
  first: boolean;
}

type Notified = Omit<NotifiedRevision, "first">;

const NORMAL_CLOSURE = 1000;

/** Frame payloads as runtimes deliver them: ArrayBuffer (binaryType "arraybuffer"), Blob, or a Node Buffer. */
async function frameBytes(data: unknown): Promise<Uint8Array | null> {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof Blob === "function" && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  return null;
}

/**
 * One WebSocket of a watch (MULTIDEVICE.md §6). Frames are decoded strictly in arrival order (a Blob's bytes
 * arrive asynchronously). Notifications after the first are coalesced into the highest revision not yet taken,
 * which the protocol allows (a revision implies every earlier one), so memory stays bounded whatever the pace.
 */
export class WatchConnection {
  readonly #socket: WebSocketLike;
  #first: Notified | null = null;
  #firstTaken = false;
  #latest: Notified | null = null;
  #closed = false;
  #decoding: Promise<void> = Promise.resolve();
  #wake: () => void = () => undefined;

  constructor(WebSocket: WebSocketConstructor, url: string) {
    this.#socket = new WebSocket(url);
    this.#socket.binaryType = "arraybuffer";
    this.#socket.addEventListener("message", (event: { data: unknown }) => {
      this.#decoding = this.#decoding.then(async () => this.#receive(await frameBytes(event.data)));
    });
    const end = () => {
      // Frames still being decoded are dropped: the next connection catches up through listChanges anyway.
      this.#closed = true;
      this.#wake();
    };
    this.#socket.addEventListener("close", end);
    this.#socket.addEventListener("error", end);
  }

  #receive(bytes: Uint8Array | null): void {
    if (!bytes || this.#closed) return;
    let notified: Notified;
    try {
      const { revision, digest } = fromBinary(NotificationSchema, bytes);
      notified = { revision, digest };
    } catch {
      return; // not a Notification: ignored, like the server ignores our data messages
    }
    if (this.#first === null && !this.#firstTaken) this.#first = notified;
    else if (this.#latest === null || notified.revision > this.#latest.revision) this.#latest = notified;
    this.#wake();
  }

  /** The next revision to act on; null once the socket closed or failed. Rejects with the signal's reason on abort. */
  async next(signal?: AbortSignal): Promise<NotifiedRevision | null> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (this.#closed) return null;
      if (this.#first !== null) {
        const notified = this.#first;
        this.#first = null;
        this.#firstTaken = true;
        return { ...notified, first: true };
      }
      if (this.#latest !== null) {
        const notified = this.#latest;
        this.#latest = null;
        return { ...notified, first: false };
      }
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
      });
    }
  }

  /** Closes the socket (idempotent). */
  close(): void {
    this.#closed = true;
    this.#wake();
    try {
      this.#socket.close(NORMAL_CLOSURE, "watch ended");
    } catch {
      // already closing or closed
    }
  }
}
