import { base64urlnopad } from "@scure/base";
import type { Env } from "../env";
import { secretsObject } from "../secrets/vss-secrets";

const utf8 = new TextEncoder();
const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const NONCE = /^[0-9a-f]{32}$/;
const EXPIRY = /^[1-9][0-9]{0,15}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;
/** What the MAC covers besides the ticket's fields, so that no other use of the key can produce a valid ticket. */
const DOMAIN = "vss-watch-ticket-v1\n";
/** The name of the signing key in the deployment's secrets object (src/secrets). */
const KEY_NAME = "watch-ticket-mac";

/** MULTIDEVICE.md §6: how long a watch ticket is valid. */
export const TICKET_TTL_MS = 60_000;

/** What a verified watch ticket names: who it was issued to, for which store, until when, and its single-use secret. */
export interface WatchTicket {
  identity: string;
  storeId: string;
  expiresAtMs: number;
  nonce: string;
}

/** The isolate's signing key, loaded once from the secrets object (the same key in every isolate). */
let signingKey: Promise<CryptoKey> | null = null;

function keyOf(env: Env): Promise<CryptoKey> {
  signingKey ??= secretsObject(env)
    .secret(KEY_NAME)
    .then((raw) => crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]))
    .catch((error: unknown) => {
      signingKey = null;
      throw error;
    });
  return signingKey;
}

const signed = (fields: string) => utf8.encode(DOMAIN + fields);

/**
 * A watch ticket (MULTIDEVICE.md §6) as browsers pass it in the query string:
 * `b64url(identity).b64url(store_id).expires_at_ms.nonce.mac`, the MAC an HMAC-SHA-256 under the deployment's
 * key. The Worker checks it before anything is charged or called, so that no one can make a ticket name an
 * identity or a store without having been issued it; the store uses the nonce up once.
 */
export async function issueTicket(env: Env, identity: string, storeId: string, now: number): Promise<{ ticket: string; expiresAtMs: number }> {
  const expiresAtMs = now + TICKET_TTL_MS;
  const nonce = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const fields = `${base64urlnopad.encode(utf8.encode(identity))}.${base64urlnopad.encode(utf8.encode(storeId))}.${expiresAtMs}.${nonce}`;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await keyOf(env), signed(fields)));
  return { ticket: `${fields}.${base64urlnopad.encode(mac)}`, expiresAtMs };
}

/**
 * The ticket's contents when its MAC is this deployment's and it has not expired; null for anything else (a
 * forged, altered, truncated or expired ticket). The MAC is checked in constant time before any field is trusted.
 */
export async function verifyTicket(env: Env, ticket: string, now: number): Promise<WatchTicket | null> {
  const parts = ticket.split(".");
  if (parts.length !== 5) return null;
  const [identity = "", storeId = "", expires = "", nonce = "", mac = ""] = parts;
  if (!EXPIRY.test(expires) || !NONCE.test(nonce) || !MAC.test(mac)) return null;
  const key = await keyOf(env);
  try {
    if (!(await crypto.subtle.verify("HMAC", key, base64urlnopad.decode(mac), signed(parts.slice(0, 4).join("."))))) return null;
    const expiresAtMs = Number(expires);
    if (expiresAtMs <= now) return null;
    return { identity: text.decode(base64urlnopad.decode(identity)), storeId: text.decode(base64urlnopad.decode(storeId)), expiresAtMs, nonce };
  } catch {
    return null; // not base64url, or not UTF-8: not a ticket this service issued
  }
}
