import { hexToBytes } from "@noble/hashes/utils.js";
import { fixedHeaders } from "../headers/fixed.js";
import { lnurlAuthJwt } from "../headers/lnurl-auth.js";
import { sigsAuth } from "../headers/sigs.js";
import type { HeaderProvider } from "../headers/types.js";
import { exponentialBackoff, isPermanent, ldkNodeRetryPolicy, LDK_NODE_RETRY, skipRetryOn, withMaxAttempts, withMaxJitter } from "../retry/policy.js";
import { VssClient } from "../client/vss-client.js";
import type { VerifierFactory } from "../history/verifier.js";
import { deriveLdkNodeSecrets } from "../ldk/secrets.js";
import { LEASE_HEADER } from "../multidevice/lease-keeper.js";
import { UsageError, type CliOptions } from "./options.js";

const SEED_BYTES = 64;
const SECRET_KEY_BYTES = 32;

/** Decodes a hex secret of an exact length, with a message that names the flag. */
export function hexSecret(name: string, hex: string, length: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(hex.trim());
  } catch {
    throw new UsageError(`--${name} is not hex`);
  }
  if (bytes.length !== length) throw new UsageError(`--${name} must be ${length} bytes (${length * 2} hex digits), got ${bytes.length}`);
  return bytes;
}

/** The seed from --seed / VSS_SEED, required by `what`. */
export function requireSeed(options: CliOptions, what: string): Uint8Array {
  if (!options.seed) throw new UsageError(`${what} needs --seed or VSS_SEED`);
  return hexSecret("seed", options.seed, SEED_BYTES);
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header must look like "Name: value", got ${line}`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Picks the header provider: token, then LNURL-auth, then a sigs key, then the seed's sigs key, else no auth. */
export function headerProviderFor(options: CliOptions): HeaderProvider {
  const headers = parseHeaders(options.headers);
  if (options.lease) headers[LEASE_HEADER] = options.lease;
  if (options.token) return fixedHeaders({ ...headers, Authorization: `Bearer ${options.token}` });
  if (options.lnurlAuth) {
    const parentKey = deriveLdkNodeSecrets(requireSeed(options, "--lnurl-auth")).lnurlAuthParent;
    return lnurlAuthJwt({ parentKey, authUrl: options.lnurlAuth, headers });
  }
  if (options.sigsKey) return sigsAuth(hexSecret("sigs-key", options.sigsKey, SECRET_KEY_BYTES), { headers });
  if (options.seed) return sigsAuth(deriveLdkNodeSecrets(requireSeed(options, "sigs")).signingKey, { headers });
  return fixedHeaders(headers);
}

/** A VssClient for the options' URL, auth, deadline and retry budget; verifying when `verify` is given. */
export function connect(options: CliOptions, verify?: VerifierFactory): VssClient {
  if (!options.url) throw new UsageError("--url or VSS_URL is required");
  const { baseMs, maxJitterMs } = LDK_NODE_RETRY;
  const retryPolicy =
    options.retries === undefined
      ? ldkNodeRetryPolicy()
      : skipRetryOn(withMaxJitter(withMaxAttempts(exponentialBackoff(baseMs), options.retries), maxJitterMs), isPermanent);
  return new VssClient(options.url, { headerProvider: headerProviderFor(options), retryPolicy, timeoutMs: options.timeoutMs, verify });
}
