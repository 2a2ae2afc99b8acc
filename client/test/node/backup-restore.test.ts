// README § Self-hosting, "Backup and restore", as an operator runs it: a running service (npm start's runner) with
// wallets writing, `vss admin export` to a directory, a fresh instance, `vss admin import`, and every value read back
// byte-exact; then the cold copy of a stopped service's state directory.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { GetObjectRequestSchema, sigsAuth, VssClient, listAllKeyVersions } from "../../src/index.js";
import { LocalServer } from "../../../test/support/local-server.js";
import { buildPrivateCli, runCliAt } from "./cli-runner.js";

const TOKEN = "b".repeat(40);
const VARS = { VSS_ADMIN_TOKEN: TOKEN };
const MiB = 1024 * 1024;
const state = mkdtempSync(join(tmpdir(), "vss-backup-"));
const live = new LocalServer(join(state, "live"), VARS);
let cli = { dir: "", cli: "" };

/** A value that tells where it belongs, and that no other key holds: its bytes depend on the key and a seed. */
function valueFor(key: string, size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761 + key.length;
  for (let i = 0; i < size; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

interface Held {
  storeId: string;
  key: string;
  version: bigint;
  value: Uint8Array;
}

const wallets = Array.from({ length: 3 }, () => secp256k1.utils.randomSecretKey());
const client = (url: string, secret: Uint8Array) => new VssClient(`${url}/vss`, { headerProvider: sigsAuth(secret), timeoutMs: 60_000 });

/** Everything every wallet holds on `url`, store by store, key by key. */
async function everything(url: string): Promise<Map<string, Held[]>> {
  const all = new Map<string, Held[]>();
  for (const [w, secret] of wallets.entries()) {
    const vss = client(url, secret);
    for (const storeId of ["wallet", "backup-of-channels", "busy"]) {
      const listed = await listAllKeyVersions(vss, { storeId });
      const held: Held[] = [];
      for (const { key } of listed.keys) {
        const got = await vss.getObject({ storeId, key });
        held.push({ storeId, key, version: got.version, value: got.value });
      }
      all.set(`${w}/${storeId}`, held.sort((a, b) => a.key.localeCompare(b.key)));
    }
  }
  return all;
}

/** The store's head revision (vss-revision) as a getObject answers it. */
async function headOf(url: string, secret: Uint8Array, storeId: string): Promise<number> {
  const body = toBinary(GetObjectRequestSchema, create(GetObjectRequestSchema, { storeId, key: "k0" }));
  const headers = await sigsAuth(secret).getHeaders(body);
  const response = await fetch(`${url}/vss/getObject`, { method: "POST", headers, body });
  return Number(response.headers.get("vss-revision"));
}

function expectSame(actual: Map<string, Held[]>, expected: Map<string, Held[]>, skip: (name: string) => boolean = () => false): void {
  for (const [name, held] of expected) {
    if (skip(name)) continue;
    const got = actual.get(name) ?? [];
    expect(got.map((h) => [h.key, h.version]), name).toEqual(held.map((h) => [h.key, h.version]));
    for (const [i, h] of held.entries()) expect(Buffer.from(got[i]?.value ?? []).equals(Buffer.from(h.value)), `${name} ${h.key}`).toBe(true);
  }
}

beforeAll(async () => {
  cli = buildPrivateCli("backup");
  await live.start(120_000);
  for (const [w, secret] of wallets.entries()) {
    const vss = client(live.url, secret);
    const items = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, version: 0n, value: valueFor(`k${i}`, 200 + i * 37, w) }));
    await vss.putObjects({ storeId: "wallet", transactionItems: items, globalVersion: 0n });
    await vss.putObjects({ storeId: "backup-of-channels", transactionItems: [{ key: "monitor", version: 0n, value: valueFor("monitor", 3 * MiB + 17, w) }] });
    await vss.putObjects({ storeId: "busy", transactionItems: [{ key: "a", version: -1n, value: new TextEncoder().encode("0") }, { key: "b", version: -1n, value: new TextEncoder().encode("0") }] });
  }
}, 300_000);

afterAll(async () => {
  await live.stop("SIGKILL");
  rmSync(state, { recursive: true, force: true });
  rmSync(cli.dir, { recursive: true, force: true });
});

describe("backup and restore of a running service", () => {
  it("exports while a wallet writes, imports into a fresh instance, and reads every value back byte-exact", async () => {
    // A wallet keeps writing two keys in one putObjects (one state across two keys) while the backup runs.
    let writing = true;
    let counter = 0;
    const writer = (async () => {
      const vss = client(live.url, wallets[0] as Uint8Array);
      while (writing) {
        const text = new TextEncoder().encode(String(++counter));
        await vss.putObjects({ storeId: "busy", transactionItems: [{ key: "a", version: -1n, value: text }, { key: "b", version: -1n, value: text }] });
      }
    })();
    const exported = await runCliAt(cli.cli, ["admin", "export", "--from", live.url, "--to", join(state, "backup"), "--admin-token", TOKEN, "--quiet"], 300_000);
    writing = false;
    await writer;
    expect(exported.code, exported.stderr + exported.stdout).toBe(0);
    expect(counter).toBeGreaterThan(0);
    const source = await everything(live.url);

    const restored = new LocalServer(join(state, "restored"), VARS);
    await restored.start(120_000);
    try {
      const imported = await runCliAt(cli.cli, ["admin", "import", "--from", join(state, "backup"), "--to", restored.url, "--admin-token", TOKEN, "--quiet"], 300_000);
      expect(imported.code, imported.stderr + imported.stdout).toBe(0);
      const back = await everything(restored.url);
      expectSame(back, source, (name) => name === "0/busy");
      // Each store's history continues across the move: the import is one revision after the exported head.
      const sourceHead = await headOf(live.url, wallets[1] as Uint8Array, "wallet");
      expect(await headOf(restored.url, wallets[1] as Uint8Array, "wallet")).toBe(sourceHead + 1);
      // The busy store is one point in time: both keys from the same write, never half of one.
      const busy = back.get("0/busy") ?? [];
      expect(busy.map((h) => h.key)).toEqual(["a", "b"]);
      expect(Buffer.from(busy[0]?.value ?? []).toString()).toBe(Buffer.from(busy[1]?.value ?? []).toString());
      expect(Number(Buffer.from(busy[0]?.value ?? []).toString())).toBeLessThanOrEqual(counter);
    } finally {
      await restored.stop();
    }
  }, 600_000);

  it("a copy of a stopped service's state directory serves the same data", async () => {
    const before = await everything(live.url);
    await live.stop(); // SIGTERM: in-flight requests finish, then workerd exits
    cpSync(join(state, "live"), join(state, "copy"), { recursive: true });
    const copy = new LocalServer(join(state, "copy"), VARS);
    await copy.start(120_000);
    try {
      expectSame(await everything(copy.url), before);
    } finally {
      await copy.stop();
    }
  }, 600_000);
});
