import type { HeaderProvider } from "./types.js";

/** The same headers on every request (a static bearer token, an API key, nothing at all). */
export function fixedHeaders(headers: Record<string, string> = {}): HeaderProvider {
  const copy = { ...headers };
  return { getHeaders: async () => ({ ...copy }) };
}

/** A provider built from any function, for schemes this package does not know. */
export function customHeaders(get: (requestBody: Uint8Array) => Record<string, string> | Promise<Record<string, string>>): HeaderProvider {
  return { getHeaders: async (requestBody) => ({ ...(await get(requestBody)) }) };
}
