import type { Hono } from "hono";
import {
  decodeAcquireLease,
  decodeGetObjects,
  decodeListChanges,
  decodeReleaseLease,
  decodeRenewLease,
  decodeStoreOnly,
  encodeAcquired,
  encodeChanges,
  encodeGetLease,
  encodeGetObjectsParts,
  encodeRenewed,
  encodeTicket,
} from "../codec/multidevice";
import { EMPTY_MESSAGE } from "../codec/responses";
import { storeImporting, writeRefused } from "../errors";
import { GetLeaseRequestSchema, WatchTicketRequestSchema } from "../gen/multidevice_pb";
import { GET_OBJECTS_MAX_BYTES } from "../store/limits";
import { isImporting, ZERO_HEAD } from "../store/types";
import { operation, smallBody, writeContext, type AppEnv } from "./operation";
import { protobufResponse } from "./respond";
import { readObjects } from "./store-reads";
import { existingStore, storeToCreate } from "./store-gate";
import { issueTicket } from "./watch-ticket";
import { ABSENT_RENEWAL, absentChanges } from "../store/core/absent";

/** What `GET /vss/extensions` announces: the multi-device extension and the history (HISTORY.md), each at version 1. */
export const EXTENSIONS = { lease: 1, changes: 1, watch: 1, getObjects: 1, history: 1 } as const;

/**
 * The multi-device routes (MULTIDEVICE.md §3): authenticated, scoped and rate-limited like the four VSS
 * operations, with the same error body and header. Only `GET /vss/extensions` answers without credentials.
 */
export function multideviceRoutes(app: Hono<AppEnv>): void {
  app.get("/vss/extensions", (c) => c.json(EXTENSIONS));

  operation(app, "acquireLease", async (c, lease) => {
    const request = decodeAcquireLease(await smallBody(c, lease));
    const context = writeContext(c, request.storeId);
    const store = await storeToCreate(c.env, context);
    if (!store.ok) throw writeRefused(store.error);
    const result = await store.value.acquireLease(context, request.holder, request.ttlSeconds, request.force);
    if (!result.ok) throw writeRefused(result.error);
    return protobufResponse(encodeAcquired(result.value));
  });

  operation(app, "renewLease", async (c, lease) => {
    const request = decodeRenewLease(await smallBody(c, lease));
    const store = await existingStore(c.env, c.var.identity, request.storeId);
    const result = store ? await store.renewLease(request.token, request.ttlSeconds) : { ok: false as const, error: ABSENT_RENEWAL };
    if (!result.ok) throw writeRefused(result.error);
    return protobufResponse(encodeRenewed(result.value));
  });

  operation(app, "releaseLease", async (c, lease) => {
    const request = decodeReleaseLease(await smallBody(c, lease));
    const store = await existingStore(c.env, c.var.identity, request.storeId);
    if (store && isImporting(await store.releaseLease(request.token))) throw storeImporting();
    return protobufResponse(EMPTY_MESSAGE);
  });

  operation(app, "getLease", async (c, lease) => {
    const request = decodeStoreOnly(await smallBody(c, lease), GetLeaseRequestSchema);
    const store = await existingStore(c.env, c.var.identity, request.storeId);
    const live = store ? await store.getLease() : null;
    if (isImporting(live)) throw storeImporting();
    return protobufResponse(encodeGetLease(live));
  });

  operation(app, "listChanges", async (c, lease) => {
    const request = decodeListChanges(await smallBody(c, lease));
    const store = await existingStore(c.env, c.var.identity, request.storeId);
    const page = store ? await store.listChanges(request.storeId, request.since, request.pageSize) : { head: ZERO_HEAD, value: absentChanges(request.since) };
    if (isImporting(page)) throw storeImporting();
    return protobufResponse(encodeChanges(page.value), page.head);
  });

  operation(app, "getObjects", async (c, lease) => {
    const request = decodeGetObjects(await smallBody(c, lease, GET_OBJECTS_MAX_BYTES));
    const { head, value: batch } = await readObjects(await existingStore(c.env, c.var.identity, request.storeId), request.storeId, request.keys, lease);
    return protobufResponse(encodeGetObjectsParts(batch.values, batch.missing, batch.remaining), head);
  });

  operation(app, "watchTicket", async (c, lease) => {
    const request = decodeStoreOnly(await smallBody(c, lease), WatchTicketRequestSchema);
    const issued = await issueTicket(c.env, c.var.identity, request.storeId, Date.now());
    return protobufResponse(encodeTicket(issued.ticket, issued.expiresAtMs));
  });
}
