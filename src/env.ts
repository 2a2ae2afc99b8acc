import type { LnurlChallengeStore } from "./lnurl/challenge-store";
import type { VssAccount } from "./account/vss-account";
import type { VssStore } from "./store/vss-store";
import type { VssDirectory } from "./directory/vss-directory";
import type { VssSecrets } from "./secrets/vss-secrets";

/** The Worker's bindings and variables (wrangler.toml; documented in README.md § Configuration). */
export interface Env {
  VSS_STORE: DurableObjectNamespace<VssStore>;
  VSS_ACCOUNT: DurableObjectNamespace<VssAccount>;
  /** The identity directory's shards (src/directory), read by the operator's /admin routes. */
  VSS_DIRECTORY: DurableObjectNamespace<VssDirectory>;
  /** The deployment's random secrets (src/secrets): one object, e.g. the watch tickets' signing key. */
  VSS_SECRETS: DurableObjectNamespace<VssSecrets>;
  /** Quotas (0 = unlimited): per store and per identity over all its stores, in bytes and in keys. */
  VSS_QUOTA_STORE_BYTES?: string;
  VSS_QUOTA_STORE_KEYS?: string;
  VSS_QUOTA_IDENTITY_BYTES?: string;
  VSS_QUOTA_IDENTITY_KEYS?: string;
  /** How many stores (store_ids) one identity may have; 0 = unlimited. */
  VSS_QUOTA_IDENTITY_STORES?: string;
  /** History (HISTORY.md §5): days a revision's changes are kept at least, days a replaced value is kept (0: none), and each store's allowance in bytes. */
  VSS_HISTORY_RETENTION_DAYS?: string;
  VSS_HISTORY_VALUES_DAYS?: string;
  VSS_HISTORY_BYTES?: string;
  /** Open watch sockets one identity may hold over all its stores; 0 = unlimited. */
  VSS_WATCHERS_PER_IDENTITY?: string;
  /** Days a deleted key stays in a store's change feed before it may be pruned (MULTIDEVICE.md §5). */
  VSS_CHANGES_RETENTION_DAYS?: string;
  /** Bearer token of the operator's /admin routes (a secret); unset turns those routes off. */
  VSS_ADMIN_TOKEN?: string;
  VSS_AUTH_SCHEMES?: string;
  VSS_MAX_REQUEST_BYTES?: string;
  VSS_DEFAULT_PAGE_SIZE?: string;
  VSS_SIGS_MAX_SKEW_SECONDS?: string;
  /** Page origins allowed to read the answers under /vss (CORS): `*` (default), `off`, or a comma-separated list. */
  VSS_CORS_ORIGINS?: string;
  /** "true" serves the benchmark floor routes under /bench (worker/bench-routes.ts); off by default. */
  VSS_BENCH_FLOORS?: string;
  /** JWT bearer (scheme `jwt`): one or more PEM public keys (RSA ≥ 2048 SPKI/PKCS#1, EC P-256, Ed25519). */
  VSS_JWT_PUBLIC_KEYS?: string;
  /** JWT bearer (scheme `jwt`): comma-separated `iss` values a token must carry one of; unset accepts any. */
  VSS_JWT_ISSUERS?: string;
  /** JWT bearer (scheme `jwt`): an https JWKS URL, cached and fetched again on an unknown `kid`. */
  VSS_JWT_JWKS_URL?: string;
  /** LNURL-auth issuer (scheme `lnurl`): the PKCS#8 PEM private key that signs tokens. A secret. */
  VSS_LNURL_JWT_PRIVATE_KEY?: string;
  VSS_LNURL_TOKEN_TTL_SECONDS?: string;
  VSS_LNURL_K1_TTL_SECONDS?: string;
  /** The origin the LNURL login URL names (its domain picks the wallet's linking key); default: the request's. */
  VSS_LNURL_BASE_URL?: string;
  LNURL_CHALLENGES?: DurableObjectNamespace<LnurlChallengeStore>;
  /** Workers Rate Limiting bindings ([[ratelimits]]); each one absent means that limit is off. */
  VSS_RATE_LIMIT_ADDRESS?: RateLimit;
  VSS_RATE_LIMIT_IDENTITY?: RateLimit;
  VSS_RATE_LIMIT_AUTH_FAILURES?: RateLimit;
  /** LNURL-auth challenges issued per client address (each one is a stored row until it expires). */
  VSS_RATE_LIMIT_LNURL_CHALLENGES?: RateLimit;
}
