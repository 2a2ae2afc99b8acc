// HISTORY.md §6, "A value coming back": a verified revision that gives a key a value hash it already had is an old
// value written forward — reported as ReplayedValueError, refused for the keys the app marks critical.
import { randomBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { ReplayedValueError, sigsAuth, StorableBuilder, type FetchFunction } from "../../../src/index.js";
import { serverFetch, text, untext } from "../support.js";
import { Wallet } from "./support.js";

/** A fetch that keeps the body of every putObjects it sends. */
function bodyRecorder(): { fetch: FetchFunction; puts: Uint8Array[] } {
  const puts: Uint8Array[] = [];
  const fetch: FetchFunction = (input, init) => {
    if (input.endsWith("/putObjects")) puts.push(new Uint8Array(init?.body as Uint8Array));
    return serverFetch(input, init);
  };
  return { fetch, puts };
}

/** Someone holding the credential sends a recorded request body again. */
async function resend(wallet: Wallet, body: Uint8Array): Promise<void> {
  const headers = await sigsAuth(wallet.secretKey).getHeaders(body);
  const response = await serverFetch("http://vss.test/vss/putObjects", { method: "POST", headers: { ...headers, "content-type": "application/octet-stream" }, body: body as Uint8Array<ArrayBuffer> });
  expect(response.status).toBe(200);
}

describe("an old value written forward", () => {
  const builder = new StorableBuilder(randomBytes(32));
  const seal = (plain: string) => builder.seal(text(plain), -1, text("monitor"));

  it("is reported when a recorded putObjects is sent again with the same ciphertext; the read still answers", async () => {
    const wallet = new Wallet();
    const recorder = bodyRecorder();
    const { client, replays, checkpoint } = wallet.verifying({}, { fetch: recorder.fetch });
    const storeId = "replay";
    await client.putObjects({ storeId, transactionItems: [{ key: "monitor", version: -1n, value: seal("state 1") }] });
    await client.putObjects({ storeId, transactionItems: [{ key: "monitor", version: -1n, value: seal("state 2") }] });
    expect(replays).toEqual([]);
    await resend(wallet, recorder.puts[0] as Uint8Array);
    const read = await client.getObject({ storeId, key: "monitor" });
    expect(untext(builder.open(read.value, text("monitor")).value)).toBe("state 1");
    expect(replays).toHaveLength(1);
    expect(replays[0]).toBeInstanceOf(ReplayedValueError);
    expect(replays[0]).toMatchObject({ kind: "replayed-value", storeId, key: "monitor", revision: 3n, earlierRevision: 1n });
    expect((await checkpoint(storeId))?.revision).toBe(3n); // the chain is proven: the server recorded the write faithfully
  });

  it("is refused for a critical key, on every read of that value, until the key holds a new one", async () => {
    const wallet = new Wallet();
    const recorder = bodyRecorder();
    const { client, replays } = wallet.verifying({ critical: (key) => key.startsWith("monitor") }, { fetch: recorder.fetch });
    const storeId = "critical";
    await client.putObjects({ storeId, transactionItems: [{ key: "monitor", version: -1n, value: seal("state 1") }, { key: "log", version: -1n, value: text("same") }] });
    await client.putObjects({ storeId, transactionItems: [{ key: "monitor", version: -1n, value: seal("state 2") }] });
    await resend(wallet, recorder.puts[0] as Uint8Array); // both keys come back
    const refused = await client.getObject({ storeId, key: "monitor" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ReplayedValueError);
    expect(refused).toMatchObject({ key: "monitor", revision: 3n, earlierRevision: 1n });
    expect(replays.map((r) => r.key).sort()).toEqual(["log", "monitor"]); // "log" is reported, not refused
    await expect(client.getObject({ storeId, key: "monitor" })).rejects.toBeInstanceOf(ReplayedValueError);
    expect(untext((await client.getObject({ storeId, key: "log" })).value)).toBe("same");
    await client.putObjects({ storeId, transactionItems: [{ key: "monitor", version: -1n, value: seal("state 3") }] });
    expect(untext(builder.open((await client.getObject({ storeId, key: "monitor" })).value, text("monitor")).value)).toBe("state 3");
  });

  it("is reported when the writer itself puts back an old value (its own next revision)", async () => {
    const wallet = new Wallet();
    const { client, replays } = wallet.verifying();
    const storeId = "own";
    const old = seal("state 1");
    await client.putObjects({ storeId, transactionItems: [{ key: "monitor", version: 0n, value: old }] });
    await client.putObjects({ storeId, transactionItems: [{ key: "monitor", version: 1n, value: seal("state 2") }] });
    await client.putObjects({ storeId, transactionItems: [{ key: "monitor", version: 2n, value: old }] });
    expect(replays.map((r) => [r.key, r.revision, r.earlierRevision])).toEqual([["monitor", 3n, 1n]]);
  });
});
