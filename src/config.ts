import { parseJwtConfig, parseLnurlConfig, type JwtConfig, type LnurlConfig } from "./auth/config";
import type { Env } from "./env";
import { MAX_PAGE_SIZE } from "./store/limits";
import { CorsOriginsError, parseCorsOrigins, type CorsOrigins } from "./worker/cors-origins";
import type { Limits } from "./store/types";
import type { HistorySettings } from "./store/history/record";

/** The authentication schemes this build knows. */
export const AUTH_SCHEMES = ["sigs", "jwt", "lnurl", "none"] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

/** The validated configuration. Every field has a default; see README.md § Configuration. */
export interface Config {
  authSchemes: ReadonlySet<AuthScheme>;
  maxRequestBytes: number;
  defaultPageSize: number;
  sigsMaxSkewSeconds: number;
  /** Per-store quota (0 on a dimension = unlimited). */
  storeLimits: Limits;
  /** Quota over all stores of an identity; null when both dimensions are unlimited. */
  identityLimits: Limits | null;
  /** How many stores one identity may have (0 = unlimited). */
  identityStores: number;
  /** How long deleted keys stay in a store's change feed, in ms (VSS_CHANGES_RETENTION_DAYS). */
  changeRetentionMs: number;
  /** Watch sockets one identity may hold open over all its stores (0 = unlimited). */
  watchersPerIdentity: number;
  /** What history every store keeps (VSS_HISTORY_VALUES_DAYS, VSS_HISTORY_RETENTION_DAYS, VSS_HISTORY_BYTES). */
  history: HistorySettings;
  /** The operator's bearer token for /admin; null turns the admin routes off. */
  adminToken: string | null;
  /** Serve the benchmark floor routes (VSS_BENCH_FLOORS). */
  benchFloors: boolean;
  /** JWT bearer keys; null unless `jwt` is enabled (auth/config.ts). */
  jwt: JwtConfig | null;
  /** The built-in LNURL-auth issuer; null unless `lnurl` is enabled (auth/config.ts). */
  lnurl: LnurlConfig | null;
  /** Page origins that may read the answers under /vss (worker/cors.ts): `*`, `off`, or a list. */
  corsOrigins: CorsOrigins;
}

export const DEFAULTS = {
  authSchemes: "sigs",
  maxRequestBytes: 40 * 1024 * 1024,
  defaultPageSize: MAX_PAGE_SIZE,
  sigsMaxSkewSeconds: 24 * 60 * 60,
  storeQuotaBytes: 1024 * 1024 * 1024,
  storeQuotaKeys: 1_000_000,
  identityQuotaBytes: 0,
  identityQuotaKeys: 0,
  identityQuotaStores: 100,
  changesRetentionDays: 30,
  watchersPerIdentity: 64,
  historyRetentionDays: 7,
  historyValuesDays: 7,
  historyBytes: 64 * 1024 * 1024,
  benchFloors: false,
} as const;

/**
 * The largest VSS_MAX_REQUEST_BYTES allowed: a Worker isolate has 128 MB, and a request holds its body, a 16 MiB
 * RPC batch, and twice the body when it arrives without a Content-Length and must be joined.
 */
export const MAX_REQUEST_BYTES_CEILING = 48 * 1024 * 1024;

const DAY_MS = 24 * 60 * 60 * 1000;

/** A configuration mistake: reported as a 500 with this message in the log, on every request until fixed. */
export class ConfigError extends Error {}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function flag(name: string, raw: string | undefined): boolean {
  const value = (raw ?? "").trim();
  if (value === "") return DEFAULTS.benchFloors;
  if (value === "false") return false;
  if (value === "true") return true;
  throw new ConfigError(`${name} must be "true" or "false", got ${JSON.stringify(raw)}`);
}

function schemes(raw: string | undefined): Set<AuthScheme> {
  const names = (raw ?? DEFAULTS.authSchemes).split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) throw new ConfigError("VSS_AUTH_SCHEMES names no scheme; use one or more of: " + AUTH_SCHEMES.join(", "));
  const result = new Set<AuthScheme>();
  for (const name of names) {
    if (!(AUTH_SCHEMES as readonly string[]).includes(name)) {
      throw new ConfigError(`VSS_AUTH_SCHEMES: unknown scheme ${JSON.stringify(name)}; known: ${AUTH_SCHEMES.join(", ")}`);
    }
    result.add(name as AuthScheme);
  }
  return result;
}

function identityLimits(env: Env): Limits | null {
  const bytes = integer("VSS_QUOTA_IDENTITY_BYTES", env.VSS_QUOTA_IDENTITY_BYTES, DEFAULTS.identityQuotaBytes, 0, Number.MAX_SAFE_INTEGER);
  const keys = integer("VSS_QUOTA_IDENTITY_KEYS", env.VSS_QUOTA_IDENTITY_KEYS, DEFAULTS.identityQuotaKeys, 0, Number.MAX_SAFE_INTEGER);
  return bytes === 0 && keys === 0 ? null : { bytes, keys };
}

/** The admin token, if set: at least 32 characters, so that it cannot be guessed. */
function adminToken(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (raw.length < 32) throw new ConfigError("VSS_ADMIN_TOKEN must be at least 32 characters long");
  return raw;
}

function corsOrigins(raw: string | undefined): CorsOrigins {
  try {
    return parseCorsOrigins(raw);
  } catch (error) {
    throw error instanceof CorsOriginsError ? new ConfigError(error.message) : error;
  }
}

/** Parses and checks the environment; throws ConfigError with a message naming the variable. */
export function parseConfig(env: Env): Config {
  const authSchemes = schemes(env.VSS_AUTH_SCHEMES);
  return {
    authSchemes,
    maxRequestBytes: integer("VSS_MAX_REQUEST_BYTES", env.VSS_MAX_REQUEST_BYTES, DEFAULTS.maxRequestBytes, 1024, MAX_REQUEST_BYTES_CEILING),
    defaultPageSize: integer("VSS_DEFAULT_PAGE_SIZE", env.VSS_DEFAULT_PAGE_SIZE, DEFAULTS.defaultPageSize, 1, MAX_PAGE_SIZE),
    sigsMaxSkewSeconds: integer("VSS_SIGS_MAX_SKEW_SECONDS", env.VSS_SIGS_MAX_SKEW_SECONDS, DEFAULTS.sigsMaxSkewSeconds, 1, 7 * 24 * 60 * 60),
    storeLimits: {
      bytes: integer("VSS_QUOTA_STORE_BYTES", env.VSS_QUOTA_STORE_BYTES, DEFAULTS.storeQuotaBytes, 0, Number.MAX_SAFE_INTEGER),
      keys: integer("VSS_QUOTA_STORE_KEYS", env.VSS_QUOTA_STORE_KEYS, DEFAULTS.storeQuotaKeys, 0, Number.MAX_SAFE_INTEGER),
    },
    identityLimits: identityLimits(env),
    identityStores: integer("VSS_QUOTA_IDENTITY_STORES", env.VSS_QUOTA_IDENTITY_STORES, DEFAULTS.identityQuotaStores, 0, Number.MAX_SAFE_INTEGER),
    changeRetentionMs: integer("VSS_CHANGES_RETENTION_DAYS", env.VSS_CHANGES_RETENTION_DAYS, DEFAULTS.changesRetentionDays, 1, 3650) * DAY_MS,
    history: {
      retentionMs: integer("VSS_HISTORY_RETENTION_DAYS", env.VSS_HISTORY_RETENTION_DAYS, DEFAULTS.historyRetentionDays, 1, 3650) * DAY_MS,
      valuesMs: integer("VSS_HISTORY_VALUES_DAYS", env.VSS_HISTORY_VALUES_DAYS, DEFAULTS.historyValuesDays, 0, 3650) * DAY_MS,
      allowanceBytes: integer("VSS_HISTORY_BYTES", env.VSS_HISTORY_BYTES, DEFAULTS.historyBytes, 64 * 1024, Number.MAX_SAFE_INTEGER),
    },
    watchersPerIdentity: integer("VSS_WATCHERS_PER_IDENTITY", env.VSS_WATCHERS_PER_IDENTITY, DEFAULTS.watchersPerIdentity, 0, 1_000_000),
    adminToken: adminToken(env.VSS_ADMIN_TOKEN),
    benchFloors: flag("VSS_BENCH_FLOORS", env.VSS_BENCH_FLOORS),
    jwt: parseJwtConfig(env, authSchemes.has("jwt")),
    lnurl: parseLnurlConfig(env, authSchemes.has("lnurl")),
    corsOrigins: corsOrigins(env.VSS_CORS_ORIGINS),
  };
}

const byObject = new WeakMap<object, Config>();
const byValues = new Map<string, Config>();
const MAX_CONFIGS = 16;

/** The variables (and the names of the bindings) that a configuration is parsed from. */
function fingerprint(env: Env): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(env)) parts.push(typeof value === "string" ? `${name}=${value}` : name);
  return parts.sort().join("\n");
}

/**
 * The configuration of `env`, parsed once per isolate. The runtime may hand each request a new env object with
 * the same contents, so configurations are also kept by their contents: the caches hanging off a Config (the
 * verified sigs headers, the imported keys) then live as long as the isolate.
 */
export function configOf(env: Env): Config {
  let config = byObject.get(env);
  if (config) return config;
  const key = fingerprint(env);
  config = byValues.get(key);
  if (!config) {
    config = parseConfig(env);
    if (byValues.size >= MAX_CONFIGS) byValues.delete(byValues.keys().next().value ?? "");
    byValues.set(key, config);
  }
  byObject.set(env, config);
  return config;
}
