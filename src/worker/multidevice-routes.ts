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
import { isImporting } from "../store/types";
import { operation, smallBody, writeContext, type AppEnv } from "./operation";
import { protobufResponse } from "./respond";
import { readObjects, storeFor } from "./store-client";
import { encodeTicketString } from "./watch-ticket";

/** What `GET /vss/extensions` announces: the multi-device extension, each part at version 1. */
export const EXTENSIONS = { lease: 1, changes: 1, watch: 1, getObjects: 1 } as const;

/**
 * The multi-device routes (MULTIDEVICE.md §3): authenticated, scoped and rate-limited like the four VSS
 * operations, with the same error body and header. Only `GET /vss/extensions` answers without credentials.
 */
export function multideviceRoutes(app: Hono<AppEnv>): void {
  app.get("/vss/extensions", (c) => c.json(EXTENSIONS));

  operation(app, "acquireLease", async (c, lease) => {
    const request = decodeAcquireLease(await smallBody(c, lease));
    const store = storeFor(c.env, c.var.identity, request.storeId);
    const result = await store.acquireLease(writeContext(c, request.storeId), request.holder, request.ttlSeconds, request.force);
    if (!result.ok) throw writeRefused(result.error);
    return protobufResponse(encodeAcquired(result.value));
  });

  operation(app, "renewLease", async (c, lease) => {
    const request = decodeRenewLease(await smallBody(c, lease));
    const result = await storeFor(c.env, c.var.identity, request.storeId).renewLease(request.token, request.ttlSeconds);
    if (!result.ok) throw writeRefused(result.error);
    return protobufResponse(encodeRenewed(result.value));
  });

  operation(app, "releaseLease", async (c, lease) => {
    const request = decodeReleaseLease(await smallBody(c, lease));
    if (isImporting(await storeFor(c.env, c.var.identity, request.storeId).releaseLease(request.token))) throw storeImporting();
    return protobufResponse(EMPTY_MESSAGE);
  });

  operation(app, "getLease", async (c, lease) => {
    const request = decodeStoreOnly(await smallBody(c, lease), GetLeaseRequestSchema);
    const live = await storeFor(c.env, c.var.identity, request.storeId).getLease();
    if (isImporting(live)) throw storeImporting();
    return protobufResponse(encodeGetLease(live));
  });

  operation(app, "listChanges", async (c, lease) => {
    const request = decodeListChanges(await smallBody(c, lease));
    const page = await storeFor(c.env, c.var.identity, request.storeId).listChanges(request.since, request.pageSize);
    if (isImporting(page)) throw storeImporting();
    return protobufResponse(encodeChanges(page));
  });

  operation(app, "getObjects", async (c, lease) => {
    const request = decodeGetObjects(await smallBody(c, lease, GET_OBJECTS_MAX_BYTES));
    const batch = await readObjects(storeFor(c.env, c.var.identity, request.storeId), request.keys, lease);
    return protobufResponse(encodeGetObjectsParts(batch.values, batch.missing, batch.remaining));
  });

  operation(app, "watchTicket", async (c, lease) => {
    const request = decodeStoreOnly(await smallBody(c, lease), WatchTicketRequestSchema);
    const issued = await storeFor(c.env, c.var.identity, request.storeId).watchTicket();
    return protobufResponse(encodeTicket(encodeTicketString(c.var.identity, request.storeId, issued.nonce), issued.expiresAtMs));
  });
}
