import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { createExecutionContext, env, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import {
  MemoryCheckpointStore,
  sigsAuth,
  verifying,
  type FetchFunction,
  type ReplayedValueError,
  type HistoryGap,
  type VerifyOptions,
  type VssClient,
  type VssClientOptions,
} from "../../../src/index.js";
import { newClient, serverFetch } from "../support.js";

/** The Worker's default export, loaded by a specifier the client's typecheck does not follow (no server types). */
type WorkerEntry = { fetch(request: Request, env: unknown, ctx: ExecutionContext): Promise<Response> };
const SERVER_ENTRY = "../../../../src/index";

/** The real Worker called with some variables overridden (VSS_HISTORY_BYTES …), as a client's fetch. */
export async function fetchWithVars(vars: Record<string, string>): Promise<FetchFunction> {
  const { default: worker } = (await import(/* @vite-ignore */ SERVER_ENTRY)) as { default: WorkerEntry };
  return async (input, init) => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(new Request(input, init), { ...env, ...vars }, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
}

/** One wallet identity: its sigs key, and the Durable Object of each of its stores. */
export class Wallet {
  readonly secretKey = secp256k1.utils.randomSecretKey();
  readonly identity = `sigs:${bytesToHex(secp256k1.getPublicKey(this.secretKey, true))}`;

  /** A plain client of this wallet (no verification): a second device, or the attacker holding the credential. */
  client(options: VssClientOptions = {}): VssClient {
    return newClient({ headerProvider: sigsAuth(this.secretKey), ...options });
  }

  /** A verifying client of this wallet, with what it reported. */
  verifying(verify: VerifyOptions = {}, options: VssClientOptions = {}) {
    const replays: ReplayedValueError[] = [];
    const gaps: HistoryGap[] = [];
    const checkpoints = verify.checkpoints ?? new MemoryCheckpointStore();
    const client = this.client({
      ...options,
      verify: verifying({ onReplay: (r) => replays.push(r), onGap: (g) => void gaps.push(g), ...verify, checkpoints }),
    });
    return { client, checkpoints, replays, gaps, checkpoint: (storeId: string) => checkpoints.get(client.verifier?.keyOf(storeId) ?? "") };
  }

  /** The store's Durable Object, named as the Worker names it (src/worker/store-client.ts). */
  store(storeId: string): DurableObjectStub {
    const namespace = (env as unknown as { VSS_STORE: DurableObjectNamespace }).VSS_STORE;
    return namespace.get(namespace.idFromName(`${this.identity.length}:${this.identity}/${storeId}`));
  }

  /** Deletes every store of this wallet (POST /vss/deleteAccount, signed). */
  async deleteAccount(): Promise<void> {
    const headers = await sigsAuth(this.secretKey).getHeaders(new Uint8Array(0));
    const response = await serverFetch("http://vss.test/vss/deleteAccount", { method: "POST", headers });
    if (response.status !== 200) throw new Error(`deleteAccount answered ${response.status}`);
  }
}

type Rows = Record<string, Record<string, unknown>[]>;

/** Every row of every table of a Durable Object's SQLite database (not the runtime's own `_cf_` tables). */
export async function snapshotRows(stub: DurableObjectStub): Promise<Rows> {
  return runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray();
    return Object.fromEntries(tables.map(({ name }) => [name, sql.exec(`SELECT * FROM "${name}"`).toArray().map((row) => ({ ...row }))]));
  });
}

/**
 * Puts a snapshot's rows back, table by table (an operator restoring a store from an older copy), then restarts
 * the object so that nothing it held in memory survives.
 */
export async function restoreRows(stub: DurableObjectStub, rows: Rows): Promise<void> {
  await runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    state.storage.transactionSync(() => {
      for (const [name, tableRows] of Object.entries(rows)) {
        sql.exec(`DELETE FROM "${name}"`);
        for (const row of tableRows) {
          const columns = Object.keys(row);
          sql.exec(`INSERT INTO "${name}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`, ...columns.map((c) => row[c] as SqlStorageValue));
        }
      }
    });
  });
  await runInDurableObject(stub, (_instance, state) => {
    try {
      state.abort("restored from an older copy (test)");
    } catch {
      // abort() throws to end the current call
    }
  }).catch(() => undefined);
}

type Recorded = { status: number; headers: Headers; body: Uint8Array };

/** A fetch that records the answers of each operation and can later answer with a recorded one (a replaying proxy). */
export function replayingFetch(inner: FetchFunction = serverFetch) {
  const recorded: Record<string, { status: number; headers: [string, string][]; body: Uint8Array }[]> = {};
  const replays: Record<string, { at: number; transform: (answer: Recorded) => Response }[]> = {};
  const fetcher: FetchFunction = async (input, init) => {
    const operation = new URL(input).pathname.replace(/^\/vss\//, "");
    const replay = replays[operation]?.shift();
    const chosen = replay && recorded[operation]?.at(replay.at);
    if (replay && chosen) return replay.transform({ status: chosen.status, headers: new Headers(chosen.headers), body: chosen.body });
    const response = await inner(input, init);
    const body = new Uint8Array(await response.arrayBuffer());
    (recorded[operation] ??= []).push({ status: response.status, headers: [...response.headers], body });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  /** The next call of `operation` is answered with its recorded answer number `at` (default: the last), as `transform` makes it. */
  const replayNext = (operation: string, options: { at?: number; transform?: (answer: Recorded) => Response } = {}) =>
    (replays[operation] ??= []).push({ at: options.at ?? -1, transform: options.transform ?? ((a) => new Response(a.body, { status: a.status, headers: a.headers })) });
  return { fetch: fetcher, recorded, replayNext };
}
