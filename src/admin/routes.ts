import { Hono, type Context } from "hono";
import { accountFor } from "../account/vss-account";
import type { ExportedChain } from "../store/transfer/import-revision";
import { listIdentities, type DirectoryCursor, DIRECTORY_SHARDS } from "../directory/shards";
import type { Env } from "../env";
import { conflict, invalidRequest } from "../errors";
import { MAX_IDENTITY_CHARS, MAX_STORE_ID_CHARS } from "../store/limits";
import type { ImportFailure } from "../store/transfer/transfer";
import { deleteIdentity } from "../worker/account-routes";
import { storeFor } from "../store/address";
import { requireAdminToken } from "./auth";
import { exportStream } from "./export-stream";
import { importItems } from "./import-items";

type AdminContext = Context<{ Bindings: Env }>;

/** Identities per page of GET /admin/identities (and its upper limit). */
const IDENTITY_PAGE = 1000;

/** A namespaced identity, as in "sigs:02ab…": the scheme's prefix, a colon, at least one character. */
function identityParam(value: string | undefined): string {
  if (value === undefined || !/^[a-z]+:./s.test(value)) throw invalidRequest('identity must be namespaced by its scheme, as in "sigs:02ab…"');
  if ([...value].length > MAX_IDENTITY_CHARS + 8) throw invalidRequest("identity too long");
  return value;
}

/** The store named by the query's `identity` and `store_id` (which may be empty). */
function storeParams(c: AdminContext) {
  const identity = identityParam(c.req.query("identity"));
  const storeId = c.req.query("store_id");
  if (storeId === undefined) throw invalidRequest("store_id is required (it may be empty)");
  if ([...storeId].length > MAX_STORE_ID_CHARS) throw invalidRequest(`store_id longer than ${MAX_STORE_ID_CHARS} characters`);
  return { identity, storeId, store: storeFor(c.env, identity, storeId) };
}

function importFailure(error: ImportFailure): Error {
  return error.kind === "invalid" ? invalidRequest(error.message) : conflict(`${error.kind}: ${error.message}`);
}

/** An export's chain (docs/export-format.md), as import/begin takes it: all three fields, or none. */
type ChainFields = { incarnation?: unknown; headRevision?: unknown; headDigest?: unknown };

function exportedChain(body: ChainFields): ExportedChain | null {
  if (body.incarnation === undefined && body.headRevision === undefined && body.headDigest === undefined) return null;
  const revision = typeof body.headRevision === "string" && /^[1-9][0-9]{0,15}$/.test(body.headRevision) ? Number(body.headRevision) : NaN;
  const hexOf = (value: unknown, bytes: number) => (typeof value === "string" && new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(value) ? value : null);
  const incarnation = hexOf(body.incarnation, 16);
  const digest = hexOf(body.headDigest, 32);
  if (!incarnation || !digest || !Number.isSafeInteger(revision)) throw invalidRequest("incarnation (32 hex), headRevision (decimal) and headDigest (64 hex) go together");
  const bytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
  return { incarnation: bytes(incarnation), revision, digest: bytes(digest) };
}

function cursorParam(value: string | undefined): DirectoryCursor {
  if (!value) return { shard: 0, after: "" };
  try {
    const cursor = JSON.parse(atob(value.replace(/-/g, "+").replace(/_/g, "/"))) as DirectoryCursor;
    if (Number.isSafeInteger(cursor.shard) && cursor.shard >= 0 && cursor.shard < DIRECTORY_SHARDS && typeof cursor.after === "string") return cursor;
  } catch {
    // answered below
  }
  throw invalidRequest("bad cursor");
}

const encodeCursor = (cursor: DirectoryCursor) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(cursor)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function jsonBody<T>(c: AdminContext): Promise<Partial<T>> {
  try {
    return (await c.req.json()) as Partial<T>;
  } catch {
    throw invalidRequest("the body must be JSON");
  }
}

/**
 * The operator's routes under /admin (README "HTTP surface"): the identity directory, one store's status, export
 * and import, and identity erasure. Every route needs the admin token; answers are JSON or an export stream.
 */
export function adminRoutes(): Hono<{ Bindings: Env }> {
  const admin = new Hono<{ Bindings: Env }>();
  admin.use("*", requireAdminToken);

  admin.delete("/identities/:identity", async (c) => {
    const identity = identityParam(c.req.param("identity"));
    const storesDeleted = await deleteIdentity(c.env, identity);
    return c.json({ identity, storesDeleted });
  });

  admin.get("/identities", async (c) => {
    const limit = Number(c.req.query("limit") ?? IDENTITY_PAGE);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > IDENTITY_PAGE) throw invalidRequest(`limit must be 1 … ${IDENTITY_PAGE}`);
    const page = await listIdentities(c.env, cursorParam(c.req.query("cursor")), limit);
    return c.json({ identities: page.identities, next: page.next ? encodeCursor(page.next) : null });
  });

  admin.get("/stores", async (c) => {
    const identity = identityParam(c.req.query("identity"));
    return c.json({ identity, stores: await accountFor(c.env, identity).stores() });
  });

  admin.get("/store", async (c) => c.json(await storeParams(c).store.importStatus()));

  admin.get("/store/export", async (c) => {
    const { identity, storeId, store } = storeParams(c);
    return new Response(await exportStream(store, identity, storeId), { headers: { "content-type": "application/octet-stream" } });
  });

  admin.post("/store/import/begin", async (c) => {
    const { identity, storeId, store } = storeParams(c);
    const body = await jsonBody<{ source: string; replace: boolean; force: boolean } & ChainFields>(c);
    if (typeof body.source !== "string" || body.source.length > 200) throw invalidRequest("source must be a string of at most 200 characters");
    const chain = exportedChain(body);
    const result = await store.importBegin({ identity, storeId }, { source: body.source, replace: body.replace === true, force: body.force === true, chain });
    if (!result.ok) throw importFailure(result.error);
    return c.json(result.value);
  });

  admin.post("/store/import/items", async (c) => {
    const { store } = storeParams(c);
    const importId = c.req.query("import_id") ?? "";
    const from = Number(c.req.query("from"));
    if (!Number.isSafeInteger(from) || from < 0) throw invalidRequest("from must be the ordinal of the first item");
    if (!c.req.raw.body) throw invalidRequest("no items");
    return c.json({ received: await importItems(store, importId, from, c.req.raw.body) });
  });

  admin.post("/store/import/commit", async (c) => {
    const { identity, storeId, store } = storeParams(c);
    const body = await jsonBody<{ keys: number; globalVersion: number }>(c);
    const summary = { keys: Number(body.keys), globalVersion: Number(body.globalVersion) };
    const result = await store.importCommit({ identity, storeId }, c.req.query("import_id") ?? "", summary);
    if (!result.ok) throw importFailure(result.error);
    return c.json(result.value);
  });

  admin.post("/store/import/abort", async (c) => c.json(await storeParams(c).store.importAbort()));

  return admin;
}
