import type { Context, Hono } from "hono";
import { accountFor } from "../account/vss-account";
import { storeId as checkedStoreId } from "../codec/decode";
import { invalidRequest, VssError, writeRefused } from "../errors";
import { ErrorCode } from "../gen/vss_pb";
import { watchRequestInit, type WatchRequest } from "../store/feed/watch";
import { originMayConnect } from "./cors";
import { countRequest } from "./metrics";
import { admitAddress, identify, recordIdentity, refuseCredentials, type AppEnv } from "./operation";
import { clientAddress } from "./rate-limit";
import { PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER } from "./respond";
import { storeToCreate } from "./store-gate";
import { verifyTicket, type WatchTicket } from "./watch-ticket";

/** MULTIDEVICE.md §6: past a watcher limit (the store's, or the identity's), a retryable 429 like the rate limits. */
const WATCHERS_RETRY_AFTER_SECONDS = 30;

function tooManyWatchers(whose: string): VssError {
  return new VssError(429, ErrorCode.INTERNAL_SERVER_EXCEPTION, `too many watchers on this ${whose}, retry later`, { "retry-after": String(WATCHERS_RETRY_AFTER_SECONDS) });
}

/**
 * The query's values of `name`, percent-decoded as UTF-8; null when one of them is not valid UTF-8 (URLSearchParams
 * would turn it into U+FFFD and name another store).
 */
function queryValues(url: string, name: string): string[] | null {
  const query = new URL(url).search.slice(1);
  const values: string[] = [];
  for (const pair of query === "" ? [] : query.split("&")) {
    const [rawName = "", rawValue = ""] = pair.split(/=(.*)/s);
    try {
      if (decodeURIComponent(rawName.replace(/\+/g, " ")) === name) values.push(decodeURIComponent(rawValue.replace(/\+/g, " ")));
    } catch {
      if (rawName === name) return null;
    }
  }
  return values;
}

/**
 * Who is watching: the identity the `authorization` header proves, or the one a ticket was issued to. A ticket is
 * checked in full — its MAC under the deployment's key, its expiry — before anything is charged or any object is
 * reached: a bad one is a failed authentication of the address, and charges no identity. A good one charges its
 * identity nothing either: issuing it (watchTicket, with credentials) was charged, and a used ticket replayed from
 * a logged URL — refused by the store, which keeps its nonce — must not spend its owner's limit.
 */
async function watcherIdentity(c: Context<AppEnv>, tickets: string[]): Promise<{ identity: string; ticket: WatchTicket | null }> {
  if (tickets.length === 0) return { identity: await identify(c), ticket: null };
  const address = await admitAddress(c);
  const ticket = tickets.length === 1 && tickets[0] ? await verifyTicket(c.env, tickets[0], Date.now()) : null;
  if (!ticket) return refuseCredentials(c, address);
  return { identity: recordIdentity(c, ticket.identity), ticket };
}

/**
 * `GET /vss/watch?store_id=…[&ticket=…]` (MULTIDEVICE.md §6): authenticated by the `authorization` header, or by
 * a single-use ticket from watchTicket (browsers cannot set headers on a WebSocket). Failures before the upgrade
 * are ordinary answers with an ErrorResponse: 403 for a page whose origin VSS_CORS_ORIGINS does not admit, 401
 * for bad credentials or tickets, 400 without a valid store_id or an upgrade, 429 past 32 watchers on the store or
 * VSS_WATCHERS_PER_IDENTITY on the identity. Watching makes the store exist (it counts against the store quota);
 * its Durable Object accepts the socket with the hibernation API and uses the ticket up.
 */
export function watchRoute(app: Hono<AppEnv>): void {
  app.get("/vss/watch", async function watch(c) {
    if (!originMayConnect(c.req.raw, c.env)) throw new VssError(403, ErrorCode.INVALID_REQUEST_EXCEPTION, "this page's origin may not watch: VSS_CORS_ORIGINS does not admit it");
    const { identity, ticket } = await watcherIdentity(c, queryValues(c.req.url, "ticket") ?? [""]);
    const storeIds = queryValues(c.req.url, "store_id");
    if (storeIds === null) throw invalidRequest("store_id is not valid percent-encoded UTF-8");
    if (storeIds.length !== 1) throw invalidRequest("watch needs exactly one store_id");
    const storeId = checkedStoreId(storeIds[0] ?? "");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw invalidRequest("watch needs a WebSocket upgrade (Upgrade: websocket)");
    if (ticket && ticket.storeId !== storeId) return refuseCredentials(c, clientAddress(c.req.raw));
    const { identityStores, watchersPerIdentity } = c.var.config;
    const store = await storeToCreate(c.env, { identity, storeId, identityStores });
    if (!store.ok) throw writeRefused(store.error);
    if (watchersPerIdentity > 0 && !(await accountFor(c.env, identity).admitWatcher(storeId, identity, watchersPerIdentity))) throw tooManyWatchers("identity");
    const handover: WatchRequest = { owner: { identity, storeId }, ticket: ticket && { nonce: ticket.nonce, expiresAtMs: ticket.expiresAtMs } };
    const accepted = await store.value.fetch("https://store/watch", watchRequestInit(handover));
    if (accepted.status === 401) return refuseCredentials(c, clientAddress(c.req.raw)); // a ticket used before
    if (accepted.status === 429) throw tooManyWatchers("store");
    if (accepted.status !== 101 || !accepted.webSocket) throw new Error(`the store answered a watch with ${accepted.status}`);
    countRequest("watch", 101);
    return new Response(null, { status: 101, webSocket: accepted.webSocket, headers: { [PROTOCOL_VERSION_HEADER]: PROTOCOL_VERSION } });
  });
}
