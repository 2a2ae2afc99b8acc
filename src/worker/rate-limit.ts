import type { Env } from "../env";

/**
 * The Retry-After of a limited request: the longest window the Workers Rate Limiting binding supports (10 or 60 s),
 * so it is never too short whatever period wrangler.toml sets.
 */
export const RATE_LIMIT_RETRY_AFTER_SECONDS = 60;

/** The limiters, each a `[[ratelimits]]` binding in wrangler.toml; an absent binding means no limit. */
export type Limiter = "VSS_RATE_LIMIT_ADDRESS" | "VSS_RATE_LIMIT_IDENTITY" | "VSS_RATE_LIMIT_AUTH_FAILURES" | "VSS_RATE_LIMIT_LNURL_CHALLENGES";

/** The first four groups of an IPv6 address (its /64, which one subscriber usually holds whole). */
function ipv6Prefix(address: string): string {
  const [head = "", tail] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, "")).join(":") + "::/64";
}

/**
 * The client's address as Cloudflare reports it (`cf-connecting-ip`, which a client cannot forge through
 * Cloudflare); an IPv6 address counts as its /64. Without the header (local runs) every request is "local".
 */
export function clientAddress(request: Request): string {
  const address = request.headers.get("cf-connecting-ip")?.trim();
  if (!address) return "local";
  return address.includes(":") ? ipv6Prefix(address) : address;
}

/**
 * Counts one request against `key` on `limiter`; false when over the limit. Fails open (and says so in the log,
 * without the key) if the binding itself fails: the limiter protects capacity, it does not guard data.
 */
export async function withinLimit(env: Env, limiter: Limiter, key: string): Promise<boolean> {
  const binding = env[limiter];
  if (!binding) return true;
  try {
    return (await binding.limit({ key })).success;
  } catch (error) {
    console.error(`rate limiter ${limiter} failed; request allowed`, error instanceof Error ? error.name : "error");
    return true;
  }
}
