// HISTORY.md §6: an answer older than a head already proven is refused (RollbackError); the same revision with
// another digest is a fork (ForkError); an erased and rewritten store is told apart (IncarnationChangedError).
import { describe, expect, it } from "vitest";
import { ForkError, IncarnationChangedError, NoSuchKeyError, RollbackError, type VssClient } from "../../../src/index.js";
import { text, untext } from "../support.js";
import { replayingFetch, restoreRows, snapshotRows, Wallet } from "./support.js";

const refusal = (call: Promise<unknown>) => call.then(() => undefined, (error: unknown) => error);
const write = (client: VssClient, storeId: string, key: string, value: string) => client.putObjects({ storeId, transactionItems: [{ key, version: -1n, value: text(value) }] });

describe("rollback", () => {
  it("refuses every answer of a server whose store was restored from an older copy of its rows", async () => {
    const wallet = new Wallet();
    const { client, checkpoint } = wallet.verifying();
    const storeId = "restored";
    await write(client, storeId, "channel", "state 1");
    const old = await snapshotRows(wallet.store(storeId));
    expect(Object.keys(old)).toContain("revisions");
    await write(client, storeId, "channel", "state 2");
    await write(client, storeId, "channel", "state 3");
    const proven = await checkpoint(storeId);
    await restoreRows(wallet.store(storeId), old);
    expect(untext((await wallet.client().getObject({ storeId, key: "channel" })).value)).toBe("state 1"); // what the server now says

    const read = await refusal(client.getObject({ storeId, key: "channel" }));
    expect(read).toBeInstanceOf(RollbackError);
    expect(read).toMatchObject({ kind: "rollback", storeId, checkpoint: { revision: 3n }, answered: { revision: 1n } });
    expect(await refusal(client.getObject({ storeId, key: "never" }))).toBeInstanceOf(RollbackError); // a 404 too
    expect(await refusal(client.listKeyVersions({ storeId }))).toBeInstanceOf(RollbackError);
    expect(await checkpoint(storeId)).toEqual(proven);

    // Written on from the old copy, the server reaches revision 3 again, with another history: a fork.
    await write(wallet.client(), storeId, "channel", "state 2'");
    await write(wallet.client(), storeId, "channel", "state 3'");
    const fork = await refusal(client.getObject({ storeId, key: "channel" }));
    expect(fork).toBeInstanceOf(ForkError);
    await write(wallet.client(), storeId, "channel", "state 4'");
    expect(await refusal(client.getObject({ storeId, key: "channel" }))).toBeInstanceOf(ForkError); // the chain from the checkpoint does not recompute
    expect(await checkpoint(storeId)).toEqual(proven);
  });

  it("refuses an old answer replayed by a proxy, a found value and a 404 alike", async () => {
    const wallet = new Wallet();
    const proxy = replayingFetch();
    const { client } = wallet.verifying({}, { fetch: proxy.fetch });
    const storeId = "replayed";
    await write(client, storeId, "k", "old");
    expect(untext((await client.getObject({ storeId, key: "k" })).value)).toBe("old");
    await expect(client.getObject({ storeId, key: "gone" })).rejects.toBeInstanceOf(NoSuchKeyError);
    await write(client, storeId, "k", "new");
    await write(client, storeId, "gone", "here now");

    proxy.replayNext("getObject");
    const replayed = await refusal(client.getObject({ storeId, key: "k" }));
    expect(replayed).toBeInstanceOf(RollbackError);
    expect(replayed).toMatchObject({ checkpoint: { revision: 3n }, answered: { revision: 1n } });
    expect(untext((await client.getObject({ storeId, key: "k" })).value)).toBe("new"); // the real answer passes
    proxy.replayNext("putObjects", { at: 0 }); // the acknowledgement of the first write, again
    expect(await refusal(write(client, storeId, "k", "newer"))).toBeInstanceOf(RollbackError);
  });

  it("refuses the same revision with another digest as a fork", async () => {
    const wallet = new Wallet();
    const proxy = replayingFetch();
    const { client } = wallet.verifying({}, { fetch: proxy.fetch });
    const storeId = "forked";
    await write(client, storeId, "k", "v");
    await client.getObject({ storeId, key: "k" });
    const transform = (answer: { status: number; headers: Headers; body: Uint8Array }) => {
      const headers = new Headers(answer.headers);
      headers.set("vss-digest", "ab".repeat(32));
      return new Response(answer.body, { status: answer.status, headers });
    };
    proxy.replayNext("getObject", { transform });
    const fork = await refusal(client.getObject({ storeId, key: "k" }));
    expect(fork).toBeInstanceOf(ForkError);
    expect(fork).toMatchObject({ kind: "fork", answered: { revision: 1n, digest: "ab".repeat(32) } });
  });

  it("tells an erased and rewritten store (another incarnation) from a rollback, and starts again only when told to", async () => {
    const wallet = new Wallet();
    const { client, checkpoint } = wallet.verifying();
    const storeId = "erased";
    await write(client, storeId, "k", "1");
    await write(client, storeId, "k", "2");
    const before = await checkpoint(storeId);
    await wallet.deleteAccount();
    const empty = await refusal(client.getObject({ storeId, key: "k" }));
    expect(empty).toBeInstanceOf(IncarnationChangedError);
    expect(empty).toMatchObject({ previousIncarnation: before?.incarnation, currentIncarnation: "", answered: { revision: 0n } });

    await write(wallet.client(), storeId, "k", "after");
    const rewritten = await refusal(client.getObject({ storeId, key: "k" }));
    expect(rewritten).toBeInstanceOf(IncarnationChangedError);
    const current = (rewritten as IncarnationChangedError).currentIncarnation;
    expect(current).toMatch(/^[0-9a-f]{32}$/);
    expect(current).not.toBe(before?.incarnation);
    expect(await checkpoint(storeId)).toEqual(before);
    await write(wallet.client(), storeId, "k", "after 2");
    await write(wallet.client(), storeId, "k", "after"); // revision 3, above the checkpoint: getHistory tells
    expect(await refusal(client.getObject({ storeId, key: "k" }))).toMatchObject({ name: "IncarnationChangedError", currentIncarnation: current });

    const told: IncarnationChangedError[] = [];
    const accepting = wallet.verifying({ checkpoints: undefined, onIncarnationChange: (change) => (told.push(change), true) });
    await accepting.checkpoints.set(accepting.client.verifier?.keyOf(storeId) ?? "", before as NonNullable<typeof before>);
    expect(untext((await accepting.client.getObject({ storeId, key: "k" })).value)).toBe("after");
    expect(told).toHaveLength(1);
    expect(await accepting.checkpoint(storeId)).toMatchObject({ revision: 3n, incarnation: current });
    await write(accepting.client, storeId, "k", "again");
  });
});
