import { hostname } from "node:os";
import type { VssClient } from "../../client/vss-client.js";
import type { Lease } from "../../gen/multidevice_pb.js";
import { LeaseKeeper } from "../../multidevice/lease-keeper.js";
import { note, printLine } from "../io.js";
import { UsageError, type CliOptions } from "../options.js";

/** MULTIDEVICE.md §4: a holder label is at most 120 characters. */
const HOLDER_MAX = 120;
const DEFAULT_TTL_SECONDS = 30;

function holder(options: CliOptions): string {
  return options.holder ?? `vss CLI on ${hostname()}`.slice(0, HOLDER_MAX);
}

function requireLease(options: CliOptions): string {
  if (!options.lease) throw new UsageError(`lease ${options.args[0]} needs --lease <token> (or VSS_LEASE)`);
  return options.lease;
}

/** The lease on stdout: `name: value` lines, or one JSON object with --json. The expiry is the server's clock. */
function printLease(options: CliOptions, lease: Lease, ttlSeconds?: number): void {
  const expires = new Date(Number(lease.expiresAtMs)).toISOString();
  if (options.json) {
    printLine(JSON.stringify({ token: lease.token || undefined, epoch: lease.epoch.toString(), holder: lease.holder, expiresAtMs: lease.expiresAtMs.toString() }));
    return;
  }
  if (lease.token) printLine(`token:   ${lease.token}`);
  printLine(`epoch:   ${lease.epoch}`);
  printLine(`holder:  ${lease.holder}`);
  const left = ttlSeconds === undefined ? `about ${Math.max(0, Math.round((Number(lease.expiresAtMs) - Date.now()) / 1000))} s from now` : `in ${ttlSeconds} s`;
  printLine(`expires: ${expires} (server clock; ${left})`);
}

/** `lease acquire|renew|release|show|hold`. */
export async function lease(client: VssClient, options: CliOptions): Promise<void> {
  const storeId = options.store;
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  switch (options.args[0]) {
    case "acquire":
      return printLease(options, await client.acquireLease({ storeId, holder: holder(options), ttlSeconds, force: options.force }), ttlSeconds);
    case "renew":
      return printLease(options, await client.renewLease({ storeId, token: requireLease(options), ttlSeconds }), ttlSeconds);
    case "release":
      await client.releaseLease({ storeId, token: requireLease(options) });
      return note(options, "released (if it was the live lease)");
    case "show": {
      const live = await client.getLease({ storeId });
      if (live) printLease(options, live);
      else printLine(options.json ? "null" : "no live lease");
      return;
    }
    case "hold":
      return hold(client, options, ttlSeconds);
    default:
      throw new UsageError("lease needs acquire, hold, renew, release or show");
  }
}

/** `lease hold`: acquires, prints the lease, renews until SIGINT/SIGTERM (then releases) or until the lease is lost. */
async function hold(client: VssClient, options: CliOptions, ttlSeconds: number): Promise<void> {
  const keeper = new LeaseKeeper(client, {
    storeId: options.store,
    holder: holder(options),
    ttlSeconds,
    onRenewed: (renewed) => note(options, `renewed (epoch ${renewed.epoch})`),
  });
  const granted = await keeper.acquire({ force: options.force });
  printLease(options, granted, ttlSeconds);
  note(options, `holding the lease, renewing every ${Math.round(keeper.renewIntervalMs / 100) / 10} s; Ctrl-C releases it`);
  const stopped = new Promise<"signal">((resolve) => {
    process.once("SIGINT", () => resolve("signal"));
    process.once("SIGTERM", () => resolve("signal"));
  });
  const outcome = await Promise.race([stopped, keeper.whenLost()]);
  if (outcome === "signal") {
    await keeper.release();
    note(options, "released");
    return;
  }
  throw new Error(`lease lost (${outcome.reason}): ${outcome.message}`);
}
