// Several devices of one wallet against the real local server (as `npm start` runs it): real HTTP, real WebSockets (the
// `ws` package, as the CLI uses it), real sigs signatures. Then the CLI's lease, watch and changes commands.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket } from "ws";
import {
  ConflictError,
  LeaseKeeper,
  LeaseLostError,
  sigsAuth,
  VssClient,
  watch,
  type WatchEvent,
  type WatchStatus,
  type WebSocketConstructor,
} from "../../src/index.js";
import { runCli, startCli } from "./cli-runner.js";
import { buildClient, startLocalServer, type LocalServer } from "./local-server.js";

let server: LocalServer;

beforeAll(async () => {
  buildClient();
  server = await startLocalServer();
}, 240_000);

afterAll(async () => {
  await server?.stop();
}, 30_000);

/** Node 20 has no global WebSocket: the `ws` package's, as the CLI uses it. */
const WebSocket = class extends WsWebSocket {
  constructor(url: string) {
    super(url);
  }
} as WebSocketConstructor;

const text = (value: string) => new TextEncoder().encode(value);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds, at most `timeoutMs`: for things that happen over the network. */
async function eventually(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A device's watch, run in the background: the changes it delivered, as "revision:key:version|deleted". */
function watchFrom(client: VssClient, storeId: string, since?: bigint) {
  const seen: string[] = [];
  const statuses: WatchStatus[] = [];
  const stop = new AbortController();
  const ended = (async () => {
    for await (const event of watch(client, { storeId, since, WebSocket, signal: stop.signal, onStatus: (s) => statuses.push(s) })) record(event);
  })().catch((error: unknown) => error);
  function record(event: WatchEvent) {
    if (event.type === "reset") seen.push(`reset:${event.revision}`);
    else for (const c of event.changes) seen.push(`${c.revision}:${c.key}:${c.deleted ? "deleted" : c.version}`);
  }
  const open = () => eventually(() => statuses.some((s) => s.state === "open"), "the watch to open");
  return { seen, statuses, open, stop: () => (stop.abort(), ended) };
}

describe("two devices of one wallet", () => {
  it("A holds the lease and writes, B watches; A stops renewing, B takes over after expiry, A's late write is fenced", async () => {
    const secretKey = secp256k1.utils.randomSecretKey();
    const deviceA = new VssClient(server.baseUrl, { headerProvider: sigsAuth(secretKey) });
    const deviceB = new VssClient(server.baseUrl, { headerProvider: sigsAuth(secretKey) });
    const storeId = "wallet";
    const ttlSeconds = 5;

    const keeperA = new LeaseKeeper(deviceA, { storeId, holder: "device A", ttlSeconds });
    const leaseA = await keeperA.acquire();
    const watchB = watchFrom(deviceB, storeId, 0n);
    await watchB.open();

    // A writes; B sees every change, in order.
    const expected: string[] = [];
    for (let i = 1; i <= 6; i++) {
      await keeperA.putObjects({ storeId, transactionItems: [{ key: `k${i}`, version: 0n, value: text(`A${i}`) }] });
      expected.push(`${i}:k${i}:1`);
    }
    await keeperA.putObjects({ storeId, transactionItems: [{ key: "k1", version: 1n, value: text("A1'") }] });
    await keeperA.deleteObject({ storeId, keyValue: { key: "k2", version: -1n } });
    expected.push("7:k1:2", "8:k2:deleted");
    await eventually(() => watchB.seen.at(-1) === "8:k2:deleted", "B to see A's last change");
    // In revision order, none invented; a key changed again before B's catch-up read the feed shows only its last change.
    const revisions = watchB.seen.map((line) => Number(line.split(":")[0]));
    expect(new Set(revisions).size).toBe(revisions.length);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    for (const line of watchB.seen) expect(expected).toContain(line);
    expect(watchB.seen).toEqual(expect.arrayContaining(expected.slice(2)));
    expect(revisions.at(-1)).toBe(8);

    // B sees who holds the lease and cannot take it while it is live.
    expect(await deviceB.getLease({ storeId })).toMatchObject({ holder: "device A", epoch: leaseA.epoch, token: "" });
    const keeperB = new LeaseKeeper(deviceB, { storeId, holder: "device B", ttlSeconds });
    await expect(keeperB.acquire()).rejects.toThrow(/device A/);

    // A stops renewing (asleep); B waits for the lease to expire, then takes it.
    keeperA.stopRenewing();
    const stoppedAt = Date.now();
    let leaseB;
    while (!leaseB) {
      leaseB = await keeperB.acquire().catch((error: unknown) => (expect(error).toBeInstanceOf(ConflictError), undefined));
      if (!leaseB) await sleep(250);
    }
    expect(Date.now() - stoppedAt).toBeGreaterThan(2_000); // A's lease ran out first (A last renewed < 5 s earlier)
    expect(leaseB.epoch).toBe(leaseA.epoch + 1n);
    expect(keeperA.state).toBe("lost"); // A's own estimate ran out before the server's
    expect(keeperA.loss?.reason).toBe("expired");

    // A's late write: refused locally by its keeper, and by the server when sent with A's token (an unmodified writer).
    await expect(keeperA.putObjects({ storeId, transactionItems: [{ key: "k3", version: -1n, value: text("stale") }] })).rejects.toBeInstanceOf(LeaseLostError);
    const stale = await deviceA
      .putObjects({ storeId, transactionItems: [{ key: "k3", version: -1n, value: text("stale") }] }, { headers: { "vss-lease": leaseA.token } })
      .catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as ConflictError).status).toBe(409);
    expect((stale as Error).message).toMatch(/^fenced:/);
    expect((await deviceB.getObject({ storeId, key: "k3" })).version).toBe(1n);

    // A becomes a watcher from what it knows; B writes; both watchers see B's changes.
    const watchA = watchFrom(deviceA, storeId, 8n);
    await watchA.open();
    const seenByB = watchB.seen.length;
    await keeperB.putObjects({ storeId, transactionItems: [{ key: "k3", version: 1n, value: text("B3") }, { key: "b1", version: 0n, value: text("B") }] });
    await keeperB.deleteObject({ storeId, keyValue: { key: "k4", version: -1n } });
    const fromB = ["9:b1:1", "9:k3:2", "10:k4:deleted"];
    // Within one revision the feed's order is free: order by revision, then key.
    const order = (line: string) => [Number(line.split(":")[0]), line] as const;
    const sorted = (lines: string[]) => [...lines].sort((x, y) => order(x)[0] - order(y)[0] || (order(x)[1] < order(y)[1] ? -1 : 1));
    await eventually(() => watchA.seen.length >= 3 && watchB.seen.length >= seenByB + 3, "both watchers to see B's writes");
    expect(sorted(watchA.seen)).toEqual(fromB);
    expect(sorted(watchB.seen.slice(seenByB))).toEqual(fromB);
    expect(watchA.seen.at(-1)).toBe("10:k4:deleted");

    await keeperB.release();
    await watchA.stop();
    await watchB.stop();
  });
});

describe("vss CLI for several devices", () => {
  function identity() {
    const secretKey = secp256k1.utils.randomSecretKey();
    const env = { VSS_URL: server.baseUrl, VSS_SIGS_KEY: bytesToHex(secretKey), VSS_STORE_ID: "cli" };
    return { env, client: new VssClient(server.baseUrl, { headerProvider: sigsAuth(secretKey) }) };
  }

  it("lease acquire/show/renew/release, and put/delete fenced with --lease", async () => {
    const { env } = identity();
    const acquired = await runCli(["lease", "acquire", "--holder", "laptop", "--ttl", "30"], env);
    expect(acquired.code, acquired.stderr).toBe(0);
    const out = acquired.stdout.toString();
    const token = /^token: +([0-9a-f]+)$/m.exec(out)?.[1] ?? "";
    expect(token).toMatch(/^[0-9a-f]{32,}$/);
    expect(out).toMatch(/^epoch: +1$/m);
    expect(out).toMatch(/^holder: +laptop$/m);
    expect(out).toMatch(/^expires: +\d{4}-\d\d-\d\dT.*Z \(server clock; in 30 s\)$/m);

    const shown = (await runCli(["lease", "show"], env)).stdout.toString();
    expect(shown).toMatch(/^holder: +laptop$/m);
    expect(shown).not.toMatch(/token/);
    expect(JSON.parse((await runCli(["lease", "show", "--json"], env)).stdout.toString())).toMatchObject({ holder: "laptop", epoch: "1" });

    const unfenced = await runCli(["put", "k", "v"], env);
    expect(unfenced.code).toBe(1);
    expect(unfenced.stderr).toMatch(/fenced: .*conflict, HTTP 409/);
    expect((await runCli(["put", "--lease", token, "k", "v"], env)).code).toBe(0);
    expect((await runCli(["delete", "k"], { ...env, VSS_LEASE: token })).code).toBe(0);

    const busy = await runCli(["lease", "acquire", "--holder", "phone"], env);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/"laptop"/);
    expect((await runCli(["lease", "renew", "--lease", token, "--ttl", "60"], env)).stdout.toString()).toMatch(/in 60 s/);
    expect((await runCli(["lease", "renew"], env)).code).toBe(2);
    expect((await runCli(["lease", "release", "--lease", token], env)).code).toBe(0);
    expect((await runCli(["lease", "show"], env)).stdout.toString()).toBe("no live lease\n");
    const dead = await runCli(["put", "--lease", token, "k", "v"], env);
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(/fenced:/);
  });

  it("lease hold keeps the lease past its TTL until Ctrl-C, then releases it; a forced takeover ends it", async () => {
    const { env } = identity();
    const holding = startCli(["lease", "hold", "--holder", "terminal 1", "--ttl", "5"], env);
    const token = (await holding.waitFor(/^token: +([0-9a-f]+)$/m))[1] ?? "";
    await holding.waitFor(/renewed \(epoch 1\)/, "stderr");
    await sleep(6_000); // past the TTL: only renewals keep it live
    expect((await runCli(["put", "--lease", token, "k", "held"], env)).code).toBe(0);
    expect((await runCli(["lease", "show"], env)).stdout.toString()).toMatch(/^holder: +terminal 1$/m);
    expect(await holding.stop("SIGINT")).toBe(0);
    expect(holding.stderr()).toMatch(/released/);
    expect((await runCli(["lease", "show"], env)).stdout.toString()).toBe("no live lease\n");

    const first = startCli(["lease", "hold", "--holder", "old", "--ttl", "5"], env);
    await first.waitFor(/^token: /m);
    const taken = await runCli(["lease", "acquire", "--holder", "new", "--force"], env);
    expect(taken.stdout.toString()).toMatch(/^epoch: +3$/m);
    expect(await first.exited).toBe(1); // its next renewal is refused: reported at once
    expect(first.stderr()).toMatch(/lease lost \(refused\)/);
  });

  it("watch prints each change as it commits; changes --since prints the feed", async () => {
    const { env, client } = identity();
    await client.putObjects({ storeId: "cli", transactionItems: [{ key: "before", version: 0n }] });
    const watching = startCli(["watch", "--json"], env);
    await watching.waitFor(/watching at revision 1/, "stderr");
    await runCli(["put", "a", "1"], env);
    await runCli(["delete", "before"], env);
    await watching.waitFor(/"key":"before"/);
    expect(watching.stdout().trim().split("\n").map((line) => JSON.parse(line) as unknown)).toEqual([
      { revision: "2", key: "a", version: "1" },
      { revision: "3", key: "before", deleted: true },
    ]);
    expect(await watching.stop("SIGINT")).toBe(0);

    const plain = startCli(["watch", "--since", "1"], env);
    await plain.waitFor(/^3\tbefore\tdeleted$/m);
    expect(plain.stdout()).toBe("2\ta\t1\n3\tbefore\tdeleted\n");
    expect(await plain.stop("SIGTERM")).toBe(0);

    const all = await runCli(["changes"], env);
    expect(all.stdout.toString()).toBe("2\ta\t1\n3\tbefore\tdeleted\n");
    expect(all.stderr).toMatch(/revision 3 \(continue with --since 3\)/);
    expect((await runCli(["changes", "--since", "2", "--json"], env)).stdout.toString()).toBe('{"revision":"3","key":"before","deleted":true}\n');
    expect((await runCli(["changes", "--since", "9"], env)).stdout.toString()).toBe("reset\t3\n");
    expect((await runCli(["changes", "--since", "x"], env)).code).toBe(2);
  });
});
