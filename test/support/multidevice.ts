import { fromBinary } from "@bufbuild/protobuf";
import { expect } from "vitest";
import {
  AcquireLeaseRequestSchema,
  AcquireLeaseResponseSchema,
  GetLeaseRequestSchema,
  GetLeaseResponseSchema,
  GetObjectsRequestSchema,
  GetObjectsResponseSchema,
  ListChangesRequestSchema,
  ListChangesResponseSchema,
  NotificationSchema,
  ReleaseLeaseRequestSchema,
  ReleaseLeaseResponseSchema,
  RenewLeaseRequestSchema,
  RenewLeaseResponseSchema,
  WatchTicketRequestSchema,
  WatchTicketResponseSchema,
  type Notification,
} from "../../src/gen/multidevice_pb";
import { SigsKey } from "./sigs";
import { send, TestClient, type SendOptions } from "./vss";

/** A TestClient with the multi-device calls (MULTIDEVICE.md §3), real protobuf and real sigs signatures. */
export class DeviceClient extends TestClient {
  constructor(storeId = "store", key = new SigsKey(), options: SendOptions = {}) {
    super(storeId, key, options);
  }

  /** The same identity and store, sending `vss-lease: token` (or nothing, with null) on every request. */
  withLease(token: string | null): DeviceClient {
    const headers = { ...this.options.headers };
    if (token === null) delete headers["vss-lease"];
    else headers["vss-lease"] = token;
    return new DeviceClient(this.storeId, this.key, { ...this.options, headers });
  }

  acquire(holder: string, ttlSeconds = 60, force = false) {
    return this.call("acquireLease", AcquireLeaseRequestSchema, { storeId: this.storeId, holder, ttlSeconds, force }, AcquireLeaseResponseSchema);
  }

  /** Acquires and returns the lease, asserting success. */
  async mustAcquire(holder: string, ttlSeconds = 60, force = false) {
    const reply = await this.acquire(holder, ttlSeconds, force);
    expect(reply.status, reply.error?.message).toBe(200);
    const lease = reply.message?.lease;
    if (!lease) throw new Error("acquireLease answered without a lease");
    return lease;
  }

  renew(token: string, ttlSeconds = 60) {
    return this.call("renewLease", RenewLeaseRequestSchema, { storeId: this.storeId, token, ttlSeconds }, RenewLeaseResponseSchema);
  }

  release(token: string) {
    return this.call("releaseLease", ReleaseLeaseRequestSchema, { storeId: this.storeId, token }, ReleaseLeaseResponseSchema);
  }

  getLease() {
    return this.call("getLease", GetLeaseRequestSchema, { storeId: this.storeId }, GetLeaseResponseSchema);
  }

  changes(sinceRevision: number | bigint, pageSize?: number) {
    return this.call("listChanges", ListChangesRequestSchema, { storeId: this.storeId, sinceRevision: BigInt(sinceRevision), pageSize }, ListChangesResponseSchema);
  }

  getObjects(keys: string[]) {
    return this.call("getObjects", GetObjectsRequestSchema, { storeId: this.storeId, keys }, GetObjectsResponseSchema);
  }

  ticket() {
    return this.call("watchTicket", WatchTicketRequestSchema, { storeId: this.storeId }, WatchTicketResponseSchema);
  }

  /** Every change after `since`, walking the pages; asserts success. */
  async allChanges(since = 0) {
    const changes = [];
    let revision = BigInt(since);
    for (;;) {
      const page = (await this.changes(revision)).message;
      if (!page) throw new Error("listChanges failed");
      changes.push(...page.changes);
      revision = page.revision;
      if (!page.hasMore) return { changes, revision, globalVersion: page.globalVersion };
    }
  }

  /** Opens a watch (header authentication, or the ticket given); resolves to the raw upgrade answer. */
  watchResponse(query: { storeId?: string | null; ticket?: string }, options: { upgrade?: boolean; authorization?: string | null } = {}) {
    const params = new URLSearchParams();
    const storeId = query.storeId === undefined ? this.storeId : query.storeId;
    if (storeId !== null) params.set("store_id", storeId);
    if (query.ticket !== undefined) params.set("ticket", query.ticket);
    const authorization = options.authorization === undefined ? (query.ticket === undefined ? this.key.header() : null) : options.authorization;
    return send(`/watch?${params}`, null, {
      ...this.options,
      method: "GET",
      authorization,
      headers: { ...this.options.headers, ...(options.upgrade === false ? {} : { upgrade: "websocket" }) },
    });
  }

  /** A watcher on this store (header authentication unless a ticket is given). */
  async watch(ticket?: string): Promise<Watcher> {
    const response = await this.watchResponse(ticket === undefined ? {} : { ticket });
    expect(response.status, await errorText(response)).toBe(101);
    const socket = response.webSocket;
    if (!socket) throw new Error("101 without a WebSocket");
    return new Watcher(socket);
  }
}

async function errorText(response: Response): Promise<string> {
  return response.status === 101 ? "" : `watch answered ${response.status}: ${new TextDecoder().decode(await response.clone().arrayBuffer())}`;
}

/** The client end of a watch: collects the notifications, lets a test wait for a revision. */
export class Watcher {
  readonly notifications: Notification[] = [];
  readonly others: unknown[] = [];
  closed: { code: number } | null = null;
  readonly #waiters: (() => void)[] = [];

  /** Frames in arrival order: a Blob's bytes come asynchronously, so frames are decoded one after another. */
  #decoded: Promise<void> = Promise.resolve();

  constructor(readonly socket: WebSocket) {
    socket.accept();
    socket.addEventListener("message", (event) => {
      const data: unknown = event.data;
      this.#decoded = this.#decoded.then(async () => {
        const bytes = data instanceof ArrayBuffer ? data : data instanceof Blob ? await data.arrayBuffer() : null;
        if (bytes) this.notifications.push(fromBinary(NotificationSchema, new Uint8Array(bytes)));
        else this.others.push(data);
        this.#wake();
      });
    });
    socket.addEventListener("close", (event) => {
      this.closed = { code: event.code };
      this.#wake();
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Resolves once `done()` holds (checked after each frame), or fails after `timeoutMs`. */
  async until(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got revisions ${this.revisions().join(",")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.#waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Waits until a notification for `revision` (or a later one) arrived. */
  async reach(revision: number | bigint): Promise<Notification> {
    await this.until(() => (this.notifications.at(-1)?.revision ?? -1n) >= BigInt(revision), `revision ${revision}`);
    const last = this.notifications.at(-1);
    if (!last) throw new Error("no notification");
    return last;
  }

  revisions(): bigint[] {
    return this.notifications.map((n) => n.revision);
  }

  close(): void {
    try {
      this.socket.close(1000, "done");
    } catch {
      // already closed
    }
  }
}
