import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/gen/vss_pb";
import { SigsKey } from "../support/sigs";
import { TestClient } from "../support/vss";

const CLIENTS = 32;
const RUN_MS = 5_000;
const MAX_ROUNDS = 400; // per client: bounds the loop whatever the clock does

interface Attempt {
  client: number;
  /** The counter's version and the global version the client read, and what it asked the put to check. */
  version: number;
  globalVersion: number;
  value: string;
  outcome: "ok" | "conflict";
  /** Logical clock: when the put was sent and when its answer arrived, as observed by this isolate. */
  sent: number;
  answered: number;
}

describe("linearizability", () => {
  it(`${CLIENTS} clients doing conditional read-modify-write increments lose no update and see only real conflicts`, { timeout: 120_000 }, async () => {
    const key = new SigsKey();
    const authorization = key.header();
    const storeId = "linearizability";
    let clock = 0;
    const attempts: Attempt[] = [];
    const reads = new Map<number, Set<string>>(); // version → values read at it
    const deadline = Date.now() + RUN_MS;

    async function client(id: number) {
      const vss = new TestClient(storeId, key, { authorization });
      for (let round = 0; round < MAX_ROUNDS && Date.now() < deadline; round++) {
        const current = await vss.get("counter");
        let version = 0;
        if (current.message?.value) {
          version = Number(current.message.value.version);
          const value = new TextDecoder().decode(current.message.value.value);
          reads.set(version, (reads.get(version) ?? new Set()).add(value));
        } else {
          expect(current.error?.errorCode, "a read fails only with NO_SUCH_KEY, before the first write").toBe(ErrorCode.NO_SUCH_KEY_EXCEPTION);
        }
        const globalVersion = (await vss.read("global_version")).version;
        const value = `${version + 1} by ${id}.${round}`;
        const sent = ++clock;
        const put = await vss.put([["counter", version, value]], { globalVersion });
        const answered = ++clock;
        if (put.status === 200) attempts.push({ client: id, version, globalVersion, value, outcome: "ok", sent, answered });
        else {
          expect(put.error?.errorCode, `put answered ${put.status}: ${put.error?.message}`).toBe(ErrorCode.CONFLICT_EXCEPTION);
          attempts.push({ client: id, version, globalVersion, value, outcome: "conflict", sent, answered });
        }
      }
    }

    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));

    const successes = attempts.filter((a) => a.outcome === "ok");
    const conflicts = attempts.filter((a) => a.outcome === "conflict");
    expect(successes.length, "the run made progress").toBeGreaterThanOrEqual(10);
    expect(conflicts.length, "the clients really raced").toBeGreaterThan(0);

    // Every success moved the counter and the global version together from v to v + 1: exactly one per v.
    for (const s of successes) expect(s.globalVersion, "a success read both versions equal").toBe(s.version);
    const from = successes.map((s) => s.version).sort((a, b) => a - b);
    expect(from, "one success from each version 0 … n-1: no update lost, none applied twice").toEqual(from.map((_, i) => i));

    // The final state is the last success, and the global version counts every success.
    const reader = new TestClient(storeId, key, { authorization });
    const final = await reader.read("counter");
    const last = successes.find((s) => s.version === successes.length - 1);
    expect(final).toEqual({ version: successes.length, value: last?.value });
    expect((await reader.read("global_version")).version).toBe(successes.length);
    const page = await reader.list();
    expect(page.message?.globalVersion).toBe(BigInt(successes.length));

    // Every value read at version v is the one the success from v - 1 wrote.
    const wrote = new Map(successes.map((s) => [s.version + 1, s.value]));
    for (const [version, values] of reads) expect([...values], `values read at version ${version}`).toEqual([wrote.get(version)]);

    // A conflict is genuine: a success from the version it checked (key or global) was sent before it was answered.
    for (const c of conflicts) {
      const taken = successes.find((s) => (s.version === c.version || s.version === c.globalVersion) && s.sent < c.answered);
      expect(taken, `conflict of client ${c.client} at version ${c.version} / global ${c.globalVersion}`).toBeDefined();
    }
  });
});
