import { base64urlnopad } from "@scure/base";

const utf8 = new TextEncoder();
const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const NONCE = /^[0-9a-f]{32}$/;

/** What a watch ticket names: the store it was issued for, and the secret its store keeps to use it up once. */
export interface WatchTicket {
  identity: string;
  storeId: string;
  nonce: string;
}

/**
 * A watch ticket (MULTIDEVICE.md §6) as browsers pass it in the query string: the identity and store_id it is
 * bound to (so the Worker can route it to that store without credentials) and the store's single-use secret.
 * Forging the first two parts only routes the ticket to a store that never issued its secret.
 */
export function encodeTicketString(identity: string, storeId: string, nonce: string): string {
  return `${base64urlnopad.encode(utf8.encode(identity))}.${base64urlnopad.encode(utf8.encode(storeId))}.${nonce}`;
}

/** The parts of a ticket string, or null when it is not one this service issues. */
export function decodeTicketString(ticket: string): WatchTicket | null {
  const parts = ticket.split(".");
  if (parts.length !== 3) return null;
  const [identity = "", storeId = "", nonce = ""] = parts;
  if (!NONCE.test(nonce)) return null;
  try {
    return { identity: text.decode(base64urlnopad.decode(identity)), storeId: text.decode(base64urlnopad.decode(storeId)), nonce };
  } catch {
    return null;
  }
}
