import type { LeaseSql, LeaseRow } from "./lease-sql";
import type { Result } from "../types";

/** MULTIDEVICE.md §4: a lease's time to live, in seconds, and the random bits of its token. */
export const LEASE_TTL_MIN_SECONDS = 5;
export const LEASE_TTL_MAX_SECONDS = 3600;
const TOKEN_BYTES = 16;

/** A lease as the Worker answers it; `token` is empty except for its holder (acquire and renew). */
export interface LeaseView {
  epoch: number;
  holder: string;
  expiresAtMs: number;
  token: string;
}

/** Why a lease call or a fenced write was refused: always CONFLICT on the wire. */
export interface LeaseRefusal {
  kind: "conflict";
  message: string;
}

const encoder = new TextEncoder();

function isLive(row: LeaseRow | null, now: number): row is LeaseRow {
  return row !== null && row.expiresAt > now;
}

/** Compares tokens in time that does not depend on where they differ. */
function sameToken(given: string, stored: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(stored);
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

function randomToken(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A renewal with a token that is not the live lease's. */
export const NOT_RENEWED = "lease not renewed: the token is not the live lease's (expired, released, superseded or unknown)";
/** Fencing rule 2 (MULTIDEVICE.md §4): a token that is not the live lease's, also when no lease is live. */
export const TOKEN_NOT_LIVE = "fenced: the vss-lease token is not the live lease's";
const refused = (message: string): { ok: false; error: LeaseRefusal } => ({ ok: false, error: { kind: "conflict", message } });

/**
 * Grants a lease when none is live, or over a live one when `force` (which ends it at once): the next epoch, a
 * fresh token, expiry now + ttl. Otherwise CONFLICT naming the holder and the seconds left. Never waits.
 */
export function acquireLease(storage: DurableObjectStorage, sql: LeaseSql, holder: string, ttlSeconds: number, force: boolean, now: number): Result<LeaseView, LeaseRefusal> {
  return storage.transactionSync(() => {
    const row = sql.current();
    if (isLive(row, now) && !force) {
      return refused(`lease held by ${JSON.stringify(row.holder)} for ${Math.ceil((row.expiresAt - now) / 1000)} more seconds`);
    }
    const token = randomToken();
    const expiresAtMs = now + ttlSeconds * 1000;
    const epoch = sql.grant(token, holder, expiresAtMs);
    return { ok: true, value: { epoch, holder, expiresAtMs, token } };
  });
}

/**
 * Extends the live lease whose token this is; any other token (expired, released, superseded, unknown, or any
 * token on a store never written: `sql` null) → CONFLICT.
 */
export function renewLease(storage: DurableObjectStorage, sql: LeaseSql | null, token: string, ttlSeconds: number, now: number): Result<LeaseView, LeaseRefusal> {
  if (!sql) return refused(NOT_RENEWED);
  return storage.transactionSync(() => {
    const row = sql.current();
    if (!isLive(row, now) || !sameToken(token, row.token)) return refused(NOT_RENEWED);
    const expiresAtMs = now + ttlSeconds * 1000;
    sql.extend(expiresAtMs);
    return { ok: true, value: { epoch: row.epoch, holder: row.holder, expiresAtMs, token } };
  });
}

/** Ends the live lease whose token this is; any other token changes nothing. */
export function releaseLease(storage: DurableObjectStorage, sql: LeaseSql, token: string, now: number): void {
  storage.transactionSync(() => {
    const row = sql.current();
    if (isLive(row, now) && sameToken(token, row.token)) sql.release();
  });
}

/** The live lease without its token, or null. */
export function liveLease(sql: LeaseSql, now: number): LeaseView | null {
  const row = sql.current();
  return isLive(row, now) ? { epoch: row.epoch, holder: row.holder, expiresAtMs: row.expiresAt, token: "" } : null;
}

/**
 * Fencing (MULTIDEVICE.md §4), checked inside the write's transaction before any version check: a `vss-lease`
 * token must be the live lease's (a token that stopped being live can never write again); without one, no lease
 * may be live. Resolves to the epoch the write carried, if any.
 */
export function fence(row: LeaseRow | null, token: string | null, now: number): Result<number | undefined, LeaseRefusal> {
  const live = isLive(row, now);
  if (token !== null) {
    return live && sameToken(token, row.token) ? { ok: true, value: row.epoch } : refused(TOKEN_NOT_LIVE);
  }
  if (live) return refused(`fenced: a lease is held by ${JSON.stringify(row.holder)}; writes must carry its token in vss-lease`);
  return { ok: true, value: undefined };
}
