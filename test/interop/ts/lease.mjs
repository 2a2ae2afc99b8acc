// The app's side of fencing an unmodified ldk-node (MULTIDEVICE.md §4): it holds the store's writer lease that the
// node carries as a fixed `vss-lease` header. Run by the ldk-node-0.7 binary's `fence` command between its phases.
//   node lease.mjs acquire --holder H --as NAME --force true|false …common
//   node lease.mjs release --as NAME …common      (the holder writes once with its token, then lets go)
//   node lease.mjs check --since NAME --payments HEX,… …common
// common: --url U --lnurl-url U --auth sigs|lnurl --seed HEX --store ID --state PATH
// The state file (JSON) keeps each lease's token, epoch and the store's revision right after its grant.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { LEASE_HEADER, LdkNodeKvStore, NO_RETRY, VssClient, changesSince, deriveLdkNodeSecrets, lnurlAuthJwt, sigsAuth } from "./client.mjs";
import { ensure, expectEqual, hex, parseOptions, reporter } from "./report.mjs";

const TTL_SECONDS = 600;
const options = parseOptions(process.argv.slice(2));
const auth = options.get("auth");
const report = reporter(`TypeScript lease holder (${auth})`);
const seed = hex.decode(options.get("seed"));
const storeId = options.get("store");
const statePath = options.get("state");
const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : {};
const secrets = deriveLdkNodeSecrets(seed);
// The node's own identity: the same sigs key or LNURL-auth linking key ldk-node derives from the seed.
const headerProvider =
  auth === "sigs" ? sigsAuth(secrets.signingKey) : lnurlAuthJwt({ parentKey: secrets.lnurlAuthParent, authUrl: options.get("lnurl-url") });
const client = new VssClient(options.get("url"), { headerProvider, retryPolicy: NO_RETRY });

/** The store's current revision: the end of the change feed walked from 0. */
async function currentRevision() {
  let revision = 0n;
  for await (const page of changesSince(client, storeId, 0n)) revision = page.revision;
  return revision;
}

const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));

async function acquire() {
  const [holder, name, force] = [options.get("holder"), options.get("as"), options.get("force") === "true"];
  const earlier = Object.values(state).filter((s) => s.epoch !== undefined);
  await report.check(`${holder} ${force ? "forces a takeover of" : "acquires"} the lease`, async () => {
    const lease = await client.acquireLease({ storeId, holder, ttlSeconds: TTL_SECONDS, force });
    ensure(lease.token.length > 0, "no token");
    ensure(
      earlier.every((s) => BigInt(s.epoch) < lease.epoch),
      () => `epoch ${lease.epoch} is not above the earlier ${earlier.map((s) => s.epoch)}`,
    );
    const live = await client.getLease({ storeId });
    expectEqual("live lease (holder, epoch)", [live?.holder, live?.epoch], [holder, lease.epoch]);
    state[name] = { holder, token: lease.token, epoch: lease.epoch.toString(), revision: (await currentRevision()).toString() };
    save();
  });
}

async function release() {
  const name = options.get("as");
  const { holder, token } = state[name];
  await report.check(`${holder}, the holder, writes with its token`, async () => {
    const item = { key: `fence-probe/${name}`, version: -1n, value: new TextEncoder().encode(holder) };
    await client.putObjects({ storeId, transactionItems: [item] }, { headers: { [LEASE_HEADER]: token } });
  });
  await report.check(`${holder} releases the lease; none is live`, async () => {
    await client.releaseLease({ storeId, token });
    const live = await client.getLease({ storeId });
    ensure(live === undefined, () => `a lease is still live: ${live.holder}, epoch ${live.epoch}`);
    state.released = { revision: (await currentRevision()).toString() };
    save();
  });
}

async function check() {
  const since = options.get("since");
  const payments = options.get("payments").split(",").filter(Boolean).sort();
  await report.check(`nothing was written to the store after ${state[since].holder ?? "the release"}`, async () => {
    const changed = [];
    for await (const page of changesSince(client, storeId, BigInt(state[since].revision))) {
      ensure(!page.reset, "the change feed was reset");
      changed.push(...page.changes.map((c) => `${c.key}@${c.revision}`));
    }
    expectEqual("changes since", changed, []);
  });
  await report.check("the store's payments are exactly the ones written under a live lease", async () => {
    const store = await LdkNodeKvStore.open({ client, storeId, seed, readOnly: true });
    expectEqual("payments", (await store.list("payments", "")).sort(), payments);
  });
  await report.check("the refused writes left the lease as it was", async () => {
    const live = await client.getLease({ storeId });
    const latest = Object.values(state).filter((s) => s.epoch !== undefined).at(-1);
    const want = state.released ? [undefined, undefined] : [latest.holder, latest.epoch];
    expectEqual("live lease (holder, epoch)", [live?.holder, live?.epoch.toString()], want);
  });
}

const commands = { acquire, release, check };
ensure(options.command in commands, `unknown command ${options.command}`);
await commands[options.command]();
process.exitCode = report.exitCode();
