import type { Hono } from "hono";
import { storeId as checkedStoreId } from "../codec/decode";
import { invalidRequest, VssError } from "../errors";
import { ErrorCode } from "../gen/vss_pb";
import { originMayConnect } from "./cors";
import { countRequest } from "./metrics";
import { admitAddress, admitIdentity, identify, refuseCredentials, type AppEnv } from "./operation";
import { PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER } from "./respond";
import { storeFor } from "./store-client";
import { decodeTicketString } from "./watch-ticket";

/** MULTIDEVICE.md §6: past the store's watcher limit, a retryable 429 like the rate limits. */
const WATCHERS_RETRY_AFTER_SECONDS = 30;

function tooManyWatchers(): VssError {
  return new VssError(429, ErrorCode.INTERNAL_SERVER_EXCEPTION, "too many watchers on this store, retry later", { "retry-after": String(WATCHERS_RETRY_AFTER_SECONDS) });
}

/**
 * `GET /vss/watch?store_id=…[&ticket=…]` (MULTIDEVICE.md §6): authenticated by the `authorization` header, or by
 * a single-use ticket from watchTicket (browsers cannot set headers on a WebSocket). Failures before the upgrade
 * are ordinary answers with an ErrorResponse: 403 for a page whose origin VSS_CORS_ORIGINS does not admit, 401
 * for bad credentials or tickets, 400 without a store_id or an upgrade, 429 past 32 watchers. The store's Durable
 * Object accepts the socket with the hibernation API.
 */
export function watchRoute(app: Hono<AppEnv>): void {
  app.get("/vss/watch", async function watch(c) {
    if (!originMayConnect(c.req.raw, c.env)) throw new VssError(403, ErrorCode.INVALID_REQUEST_EXCEPTION, "this page's origin may not watch: VSS_CORS_ORIGINS does not admit it");
    const query = new URL(c.req.url).searchParams;
    const ticketText = query.get("ticket");
    if (ticketText === null) await identify(c);
    const address = ticketText === null ? "" : await admitAddress(c);
    const ticket = ticketText === null ? null : decodeTicketString(ticketText);
    if (ticketText !== null && !ticket) return refuseCredentials(c, address);
    const identity = ticket ? await admitIdentity(c, ticket.identity) : c.var.identity;
    const storeIds = query.getAll("store_id");
    if (storeIds.length !== 1) throw invalidRequest("watch needs exactly one store_id");
    const storeId = checkedStoreId(storeIds[0] ?? "");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw invalidRequest("watch needs a WebSocket upgrade (Upgrade: websocket)");
    const store = storeFor(c.env, identity, storeId);
    if (ticket && (ticket.storeId !== storeId || !(await store.consumeTicket(ticket.nonce)))) return refuseCredentials(c, address);
    const accepted = await store.fetch("https://store/watch", { headers: { upgrade: "websocket" } });
    if (accepted.status === 429) throw tooManyWatchers();
    if (accepted.status !== 101 || !accepted.webSocket) throw new Error(`the store answered a watch with ${accepted.status}`);
    countRequest("watch", 101);
    return new Response(null, { status: 101, webSocket: accepted.webSocket, headers: { [PROTOCOL_VERSION_HEADER]: PROTOCOL_VERSION } });
  });
}
