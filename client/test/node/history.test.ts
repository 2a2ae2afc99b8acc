// The history commands end to end against the real local server (as `npm start` runs it): put data, `vss verify`,
// delete everything, `vss restore --to-revision` (a dry run first), `vss verify` again, every value back
// byte-exact, `vss show --at`, `vss history`; the library's verifying client over real HTTP.
import { rmSync } from "node:fs";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex, randomBytes } from "@noble/hashes/utils.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RollbackError, sigsAuth, verifying, VssClient, listAllKeyVersions } from "../../src/index.js";
import { buildPrivateCli, runCliAt } from "./cli-runner.js";
import { startLocalServer, type LocalServer } from "./local-server.js";

let server: LocalServer;
let cli = { dir: "", cli: "" };
const secret = secp256k1.utils.randomSecretKey();
const storeId = "history-cli";

beforeAll(async () => {
  cli = buildPrivateCli("history");
  server = await startLocalServer();
}, 300_000);

afterAll(async () => {
  await server?.stop();
  if (cli.dir) rmSync(cli.dir, { recursive: true, force: true });
}, 30_000);

const vss = (...args: string[]) => runCliAt(cli.cli, ["--url", server.baseUrl, "--store", storeId, "--sigs-key", bytesToHex(secret), "--retries", "3", ...args], 60_000);
const client = () => new VssClient(server.baseUrl, { headerProvider: sigsAuth(secret), timeoutMs: 30_000 });

describe("vss history, verify, show, restore", () => {
  it("restores a store whose keys were all deleted, byte-exact, as a forward write that verifies", async () => {
    const values = { k1: randomBytes(3000), k2: randomBytes(17), k3: new Uint8Array(0) };
    const original = randomBytes(40);
    const wallet = client();
    await wallet.putObjects({ storeId, transactionItems: Object.entries({ ...values, k2: original }).map(([key, value]) => ({ key, version: 0n, value })) }); // 1
    await wallet.putObjects({ storeId, transactionItems: [{ key: "k2", version: 1n, value: values.k2 }] }); // 2
    expect((await vss("put", "note", "hello")).code).toBe(0); // 3
    const at3 = (await wallet.getHistory({ storeId, afterRevision: 2n })).headDigest;

    const verified = await vss("verify");
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain("chain: 3 revisions recomputed from the genesis");
    expect(verified.stdout).toContain("values: 4 match the chain, 0 older than the retained history, 0 do not match");
    expect(verified.stdout).toMatch(/verify: PASS\n$/);

    const history = await vss("history");
    expect(history.code).toBe(0);
    expect(history.stdout.trim().split("\n").map((line) => line.split("\t")[2])).toEqual(["k1@1, k2@1, k3@1", "k2@2", "note@1"]);

    for (const key of ["k1", "k2", "k3", "note"]) await wallet.deleteObject({ storeId, keyValue: { key, version: -1n } }); // 4 … 7
    await wallet.putObjects({ storeId, transactionItems: [{ key: "extra", version: 0n, value: new TextEncoder().encode("new") }] }); // 8

    const dry = await vss("restore", "--to-revision", "3", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/LOSE ITS FUNDS/);
    expect(dry.stdout).toMatch(/^put\tk1\tabsent now; its value of revision 1 \(3000 bytes\)$/m);
    expect(dry.stdout).toMatch(/^put\tk2\tabsent now; its value of revision 2 \(17 bytes\)$/m);
    expect(dry.stdout).toMatch(/^delete\textra\tversion 1 now; absent after revision 3$/m);
    expect(dry.stdout).toContain("4 puts, 1 delete (head 8); dry run: nothing written");
    expect((await listAllKeyVersions(wallet, { storeId })).keys.map((kv) => kv.key)).toEqual(["extra"]);

    const restored = await vss("restore", "--to-revision", "3");
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain("4 puts, 1 delete written in 1 request");
    for (const [key, value] of Object.entries({ ...values, note: new TextEncoder().encode("hello") })) {
      expect(Buffer.from((await wallet.getObject({ storeId, key })).value).equals(Buffer.from(value)), key).toBe(true);
    }
    expect((await listAllKeyVersions(wallet, { storeId })).keys.map((kv) => kv.key).sort()).toEqual(["k1", "k2", "k3", "note"]);

    const again = await vss("verify", "--checkpoint", `3:${bytesToHex(at3)}`);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`checkpoint 3:${bytesToHex(at3)} lies on the chain`);
    expect(again.stdout).toMatch(/written forward: "k1" at revision 9 holds its value of revision 1/);
    expect(again.stdout).toMatch(/verify: PASS\n$/);
    const forked = await vss("verify", "--checkpoint", `3:${"0".repeat(64)}`);
    expect(forked.code).toBe(1);
    expect(forked.stderr).toMatch(/fork: .*revision 3/);

    const shown = await vss("show", "--at", "1", "k2", "--json");
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({ key: "k2", version: "1", revision: "1", value: Buffer.from(original).toString("base64") });
    const absent = await vss("show", "--at", "5", "k1");
    expect(absent.code).toBe(3);
  });

  it("a verifying client over real HTTP refuses an answer older than its checkpoint", async () => {
    const checkpoints = new Map<string, { revision: bigint; digest: string }>();
    const store = { get: (key: string) => checkpoints.get(key), set: (key: string, cp: { revision: bigint; digest: string }) => void checkpoints.set(key, cp) };
    const verifier = new VssClient(server.baseUrl, { headerProvider: sigsAuth(secret), verify: verifying({ checkpoints: store }) });
    await verifier.listKeyVersions({ storeId });
    const [key, proven] = [...checkpoints][0] ?? ["", { revision: 0n, digest: "" }];
    expect(proven.revision).toBe(9n);
    checkpoints.set(key, { ...proven, revision: proven.revision + 5n }); // as if it had seen a later head the server no longer has
    await expect(new VssClient(server.baseUrl, { headerProvider: sigsAuth(secret), verify: verifying({ checkpoints: store }) }).listKeyVersions({ storeId })).rejects.toBeInstanceOf(RollbackError);
  });

  it("vss head publish under the lease, then compare: agrees; another seed cannot open it", async () => {
    const headStore = "heads-cli";
    const seed = bytesToHex(randomBytes(64));
    const heads = (...args: string[]) => runCliAt(cli.cli, ["--url", server.baseUrl, "--store", headStore, "--sigs-key", bytesToHex(secret), "--retries", "3", "--seed", seed, "head", ...args], 60_000);
    const wallet = client();
    await wallet.putObjects({ storeId: headStore, transactionItems: [{ key: "channel", version: 0n, value: randomBytes(100) }] }); // 1
    const none = await heads("compare");
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe("no head published; this device's head: revision 1\n");

    const lease = await wallet.acquireLease({ storeId: headStore, holder: "laptop", ttlSeconds: 60 });
    const fenced = await heads("publish");
    expect(fenced.code).toBe(1);
    expect(fenced.stderr).toMatch(/fenced/);
    const published = await heads("publish", "--holder", "laptop", "--lease", lease.token); // written as revision 2
    expect(published.code, published.stderr).toBe(0);
    const digest1 = bytesToHex((await wallet.getHistory({ storeId: headStore, afterRevision: 0n, pageSize: 1 })).revisions[0]?.digest ?? new Uint8Array());
    expect(published.stdout).toMatch(new RegExp(`^published revision 1 digest ${digest1} by "laptop" at \\d{4}-`));
    await wallet.putObjects({ storeId: headStore, transactionItems: [{ key: "channel", version: 1n, value: randomBytes(100) }] }, { headers: { "vss-lease": lease.token } }); // 3

    const agrees = await heads("compare");
    expect(agrees.code, agrees.stderr).toBe(0);
    expect(agrees.stdout).toMatch(new RegExp(`^agrees: the published revision 1 digest ${digest1} by "laptop" .* \\(head revision 3\\)\n$`));
    const stranger = await runCliAt(cli.cli, ["--url", server.baseUrl, "--store", headStore, "--sigs-key", bytesToHex(secret), "--seed", bytesToHex(randomBytes(64)), "head", "compare"], 60_000);
    expect(stranger.code).toBe(1);
    expect(stranger.stdout).toBe("");
    expect(stranger.stderr).toMatch(/authentication tag does not match/);
  });
});
