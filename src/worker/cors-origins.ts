/**
 * Which page origins may read the service's answers (VSS_CORS_ORIGINS): every origin, none (`off`), or a list.
 * A pure parser with no imports of its own, so that config.ts and worker/cors.ts can both use it.
 */
export type CorsOrigins = "*" | "off" | ReadonlySet<string>;

/** The default: any origin. Credentials travel in headers a page must hold itself, never in cookies. */
export const DEFAULT_CORS_ORIGINS = "*";

/** What VSS_CORS_ORIGINS reports when it is wrong; config.ts turns it into its ConfigError. */
export class CorsOriginsError extends Error {}

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s@]+)$/;

/** The origin of an http(s) URL as browsers serialize it; "null" when `entry` is no URL. */
function webOrigin(entry: string): string {
  try {
    return new URL(entry).origin;
  } catch {
    return "null";
  }
}

/**
 * One allowed origin exactly as a browser writes it in `Origin` (scheme://host[:port], lower case, no path, no
 * default port), so that the comparison can be a plain string match. Non-web schemes (a browser extension's
 * `chrome-extension://<id>`, a Capacitor app's `capacitor://localhost`) are accepted as written.
 */
function origin(entry: string): string {
  if (entry === "null") throw new CorsOriginsError('VSS_CORS_ORIGINS: "null" would admit every sandboxed page and local file; use "*" if that is meant');
  const match = ORIGIN.exec(entry.toLowerCase());
  const web = match?.[1] === "http" || match?.[1] === "https";
  const canonical = web || !match ? webOrigin(entry) : entry.toLowerCase();
  if (match && canonical === entry) return entry;
  const hint = canonical === "null" ? "" : `; write ${JSON.stringify(canonical)}`;
  throw new CorsOriginsError(`VSS_CORS_ORIGINS: ${JSON.stringify(entry)} is not an origin as a browser sends it (scheme://host[:port])${hint}`);
}

/** Parses VSS_CORS_ORIGINS: unset or empty → the default, `*`, `off`, or a comma-separated list of origins. */
export function parseCorsOrigins(raw: string | undefined): CorsOrigins {
  const value = (raw ?? "").trim() || DEFAULT_CORS_ORIGINS;
  if (value === "*" || value === "off") return value;
  const entries = value.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  if (entries.includes("*") || entries.includes("off")) {
    throw new CorsOriginsError('VSS_CORS_ORIGINS: "*" and "off" stand alone; list origins without them');
  }
  if (entries.length === 0) throw new CorsOriginsError('VSS_CORS_ORIGINS names no origin; use "*", "off" or a list of origins');
  return new Set(entries.map(origin));
}
