import { secp256k1 } from "@noble/curves/secp256k1.js";
import { exports } from "cloudflare:workers";
import { NO_RETRY, VssClient, sigsAuth, type FetchFunction, type VssClientOptions } from "../../src/index.js";

/** Clients are configured with the base URL, like ldk-node: `https://host/vss`. */
export const BASE = "http://vss.test/vss";

/** The Worker's default export as the client tests need it (typed here so the client does not import server types). */
type MainModuleExports = { default: { fetch(request: Request): Promise<Response> } };

/** The real Worker (and its SQLite Durable Object), called in-process. */
export const serverFetch: FetchFunction = (input, init) => (exports as unknown as MainModuleExports).default.fetch(new Request(input, init));

/** A fetch that records every URL it sends to the real server. */
export function countingFetch(inner: FetchFunction = serverFetch): FetchFunction & { calls: string[] } {
  const calls: string[] = [];
  const fetcher = (input: string, init?: RequestInit) => {
    calls.push(input);
    return inner(input, init);
  };
  return Object.assign(fetcher, { calls });
}

/** A client of the real server under a fresh sigs identity; no retries unless the options say so. */
export function newClient(options: VssClientOptions = {}): VssClient {
  return new VssClient(BASE, {
    fetch: serverFetch,
    headerProvider: sigsAuth(secp256k1.utils.randomSecretKey()),
    retryPolicy: NO_RETRY,
    ...options,
  });
}

export const text = (value: string) => new TextEncoder().encode(value);
export const untext = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Byte equality that stays fast for multi-megabyte values (deep equality walks them element by element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
