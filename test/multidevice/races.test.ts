import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { DeviceClient } from "../support/multidevice";
import { SigsKey } from "../support/sigs";
import { expectError, type Item } from "../support/vss";

/** A small seeded PRNG, so a failing run can be replayed from its seed. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Issue 9: races, completeness under load, isolation. */
describe("multi-device under concurrency", () => {
  it("20 concurrent acquires: exactly one winner, every other one 409", async () => {
    const device = new DeviceClient("race-acquire");
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => device.acquire(`device ${i}`, 60)));
    const winners = replies.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const r of replies.filter((r) => r.status !== 200)) expectError(r, 409, ErrorCode.CONFLICT_EXCEPTION);
    expect((await device.getLease()).message?.lease?.holder).toBe(winners[0]?.message?.lease?.holder);
  });

  it("a forced takeover racing a stream of writes from the old holder: every write after it refused, every acknowledged one kept", async () => {
    const device = new DeviceClient("race-takeover");
    const a = await device.mustAcquire("A");
    const writerA = device.withLease(a.token);
    const acknowledged: string[] = [];
    const refused: string[] = [];
    const sentAfterTakeover: string[] = [];
    let takenOver = false;
    let next = 0;
    const stream = async () => {
      for (;;) {
        const key = `w${next++}`;
        const afterTakeover = takenOver;
        const reply = await writerA.put([[key, 0, "from A"]]);
        if (afterTakeover) sentAfterTakeover.push(key);
        if (reply.status === 200) acknowledged.push(key);
        else {
          expectError(reply, 409, ErrorCode.CONFLICT_EXCEPTION);
          expect(reply.error?.message).toMatch(/^fenced:/);
          refused.push(key);
        }
        if (refused.length >= 12) return;
      }
    };
    const writers = Array.from({ length: 4 }, stream);
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 5));
    const b = await device.mustAcquire("B", 60, true);
    takenOver = true;
    await Promise.all(writers);
    expect(b.epoch).toBe(2n);
    // Every write sent after the takeover answered was refused …
    for (const key of sentAfterTakeover) expect(refused).toContain(key);
    // … every acknowledged write is there, and no refused one is.
    const listed = new Set((await device.listAll()).keys.map((kv) => kv.key));
    for (const key of acknowledged) expect(listed.has(key), key).toBe(true);
    for (const key of refused) expect(listed.has(key), key).toBe(false);
    expect(listed.size).toBe(acknowledged.length);
  });

  it("16 concurrent writers: walking listChanges from 0 reproduces exactly what listKeyVersions and getObject show; a watcher sees increasing revisions up to the last", async () => {
    const seed = 0x51ed;
    const device = new DeviceClient("race-feed");
    const watcher = await device.watch();
    await watcher.reach(0);
    let writes = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        const random = prng(seed + w);
        for (let i = 0; i < 25; i++) {
          const key = `k${Math.floor(random() * 40)}`;
          const roll = random();
          if (roll < 0.2) await device.delete(key, -1);
          else if (roll < 0.35) {
            const items: Item[] = [[key, -1, `w${w}-${i}`], [`k${Math.floor(random() * 40)}x`, -1, "pair"]];
            expect((await device.put(items)).status).toBe(200);
          } else expect((await device.put([[key, -1, `w${w}-${i}`]])).status).toBe(200);
          writes++;
        }
      }),
    );
    expect(writes).toBe(400);
    const feed = await device.allChanges(0);
    const fromFeed = new Map<string, bigint>();
    for (const change of feed.changes) {
      if (change.deleted) fromFeed.delete(change.key);
      else fromFeed.set(change.key, change.version);
    }
    const listed = new Map((await device.listAll()).keys.map((kv) => [kv.key, kv.version] as const));
    expect(fromFeed).toEqual(listed);
    for (const [key, version] of listed) expect((await device.get(key)).message?.value?.version).toBe(version);
    const last = await watcher.reach(feed.revision);
    expect(last.revision).toBe(feed.revision);
    const revisions = watcher.revisions();
    for (let i = 1; i < revisions.length; i++) expect((revisions[i] ?? 0n) > (revisions[i - 1] ?? 0n)).toBe(true);
    watcher.close();
  });

  it("no lease, change or notification of one (identity, store) is visible from another", async () => {
    const alice = new DeviceClient("shared-name");
    const bob = new DeviceClient("shared-name", new SigsKey());
    const aliceOther = new DeviceClient("other-name", alice.key);
    const bobWatcher = await bob.watch();
    const otherWatcher = await aliceOther.watch();
    await bobWatcher.reach(0);
    await otherWatcher.reach(0);
    const lease = await alice.mustAcquire("alice's phone");
    await alice.withLease(lease.token).put([["k", 0, "alice"]]);
    // Bob's store of the same name and Alice's other store: no lease, no fencing, no changes, no notification.
    for (const other of [bob, aliceOther]) {
      expect((await other.getLease()).message?.lease).toBeUndefined();
      expect((await other.changes(0)).message).toMatchObject({ changes: [], revision: 0n });
      expect((await other.put([["k", 0, "own"]])).status).toBe(200);
      expectError(await other.withLease(lease.token).put([["k2", 0, "x"]]), 409, ErrorCode.CONFLICT_EXCEPTION);
    }
    await bobWatcher.reach(1);
    await otherWatcher.reach(1);
    expect(bobWatcher.revisions()).toEqual([0n, 1n]);
    expect(otherWatcher.revisions()).toEqual([0n, 1n]);
    // A ticket of one identity cannot open another's store.
    const ticket = (await alice.ticket()).message?.ticket ?? "";
    const [, , nonce] = ticket.split(".");
    const [bobId = "", bobStore = ""] = ((await bob.ticket()).message?.ticket ?? "").split(".");
    expect((await alice.watchResponse({ ticket: `${bobId}.${bobStore}.${nonce}` })).status).toBe(401);
    bobWatcher.close();
    otherWatcher.close();
  });
});
