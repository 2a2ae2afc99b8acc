import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { sigsAuth } from "@edge-vss/client";
import type { Session } from "./steps.js";

// MULTIDEVICE.md §6 from a page: a ticket from POST {base}/watchTicket (through CORS, like any call), then a
// WebSocket to {base}/watch with the ticket in the query (a page cannot set headers on a WebSocket). The client
// has no watch API yet, so this speaks the two small messages itself (proto/multidevice.proto): when the client
// gains one, this step should use it.

const WAIT_MS = 15_000;

/** WatchTicketRequest { store_id = 1 } → WatchTicketResponse { ticket = 1 }, authenticated with sigs. */
async function watchTicket(session: Session): Promise<string> {
  const body = new BinaryWriter().tag(1, WireType.LengthDelimited).string(session.storeId).finish();
  const headers = await sigsAuth(session.secretKey).getHeaders(body);
  const response = await fetch(`${session.baseUrl}/watchTicket`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/octet-stream" },
    body: body as Uint8Array<ArrayBuffer>,
  });
  if (response.headers.get("vss-protocol-version") !== "0") throw new Error("the protocol header is not readable");
  if (!response.ok) throw new Error(`watchTicket answered ${response.status}`);
  const reader = new BinaryReader(new Uint8Array(await response.arrayBuffer()));
  let ticket = "";
  while (reader.pos < reader.len) {
    const [field, type] = reader.tag();
    if (field === 1) ticket = reader.string();
    else reader.skip(type);
  }
  return ticket;
}

/** The revision of a Notification { revision = 1, global_version = 2, lease_epoch = 3 }. */
function revisionOf(frame: ArrayBuffer): bigint {
  const reader = new BinaryReader(new Uint8Array(frame));
  let revision = 0n;
  while (reader.pos < reader.len) {
    const [field, type] = reader.tag();
    if (field === 1) revision = BigInt(reader.int64());
    else reader.skip(type);
  }
  return revision;
}

/** Opens the watch and resolves each awaited notification's revision in turn. */
function openWatch(url: string): { next: () => Promise<bigint>; close: () => void } {
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  const received: bigint[] = [];
  let wake = () => {};
  let failure: Error | null = null;
  socket.onmessage = (event: MessageEvent<ArrayBuffer>) => {
    received.push(revisionOf(event.data));
    wake();
  };
  socket.onerror = () => {
    failure = new Error("the watch WebSocket failed");
    wake();
  };
  const next = async () => {
    const deadline = Date.now() + WAIT_MS;
    while (received.length === 0) {
      if (failure) throw failure;
      if (Date.now() > deadline) throw new Error("no notification within 15 s");
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 250);
      });
    }
    return received.shift() ?? 0n;
  };
  return { next, close: () => socket.close() };
}

/** A watch through a ticket: the store's current revision first, then the revision of a write made meanwhile. */
export async function watchThroughTicket(session: Session): Promise<string> {
  const ticket = await watchTicket(session);
  const query = new URLSearchParams({ store_id: session.storeId, ticket });
  const watch = openWatch(`${session.baseUrl.replace(/^http/, "ws")}/watch?${query.toString()}`);
  try {
    const current = await watch.next();
    await session.client.putObjects({
      storeId: session.storeId,
      transactionItems: [{ key: "watched", version: -1n, value: new TextEncoder().encode("tick") }],
    });
    let notified = await watch.next();
    while (notified <= current) notified = await watch.next();
    if (notified !== current + 1n) throw new Error(`notified of revision ${notified} after ${current}`);
    return `ticket accepted; notified of revision ${current}, then ${notified} after a put`;
  } finally {
    watch.close();
  }
}
