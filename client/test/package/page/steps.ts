import {
  ConflictError,
  InternalError,
  KeyObfuscator,
  listAllKeyVersions,
  NO_RETRY,
  NoSuchKeyError,
  sigsAuth,
  StorableBuilder,
  VssClient,
} from "@edge-vss/client";
import { syncFromPage, watchThroughTicket } from "./watch.js";

/** What a step reports: a short line for the page and the test. */
export type Step = { name: string; run: (vss: Session) => Promise<string> };

/** One store under a fresh random sigs key, as a web wallet would open it. */
export class Session {
  readonly storeId = `browser-${crypto.randomUUID()}`;
  readonly secretKey = crypto.getRandomValues(new Uint8Array(32));
  readonly client: VssClient;

  constructor(readonly baseUrl: string) {
    this.client = new VssClient(baseUrl, { headerProvider: sigsAuth(this.secretKey), retryPolicy: NO_RETRY });
  }
}

const text = (s: string) => new TextEncoder().encode(s);
const untext = (b: Uint8Array) => new TextDecoder().decode(b);

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Throws unless `call` rejects with an instance of `type`; returns the error's kind and status. */
async function expectRejection(call: Promise<unknown>, type: abstract new (...args: never[]) => Error): Promise<string> {
  try {
    await call;
  } catch (error) {
    check(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    const { kind, status } = error as Error & { kind: string; status?: number };
    return `${type.name} (${kind}${status ? `, HTTP ${status}` : ""})`;
  }
  throw new Error(`expected ${type.name}, but the call succeeded`);
}

/** The page's checks against a server that allows this page's origin, in order; a new check is one more entry. */
export const STEPS: Step[] = [
  {
    name: "put, get, list and delete with sigs auth under a random key",
    async run({ client, storeId }) {
      await client.putObjects({ storeId, transactionItems: [{ key: "greeting", version: 0n, value: text("hello") }] });
      await client.putObjects({ storeId, transactionItems: [{ key: "greeting", version: 1n, value: text("hello again") }, { key: "other", version: 0n, value: text("x") }] });
      const got = await client.getObject({ storeId, key: "greeting" });
      check(got.version === 2n && untext(got.value) === "hello again", `read back version ${got.version} "${untext(got.value)}"`);
      const keys = (await listAllKeyVersions(client, { storeId })).keys.map((kv) => `${kv.key}@${kv.version}`).sort();
      check(keys.join(",") === "greeting@2,other@1", `listed ${keys.join(",")}`);
      await client.deleteObject({ storeId, keyValue: { key: "other", version: 1n } });
      const after = (await listAllKeyVersions(client, { storeId })).keys.map((kv) => kv.key);
      check(after.join(",") === "greeting", `after delete: ${after.join(",")}`);
      return `wrote 2 versions, listed ${keys.join(", ")}, deleted "other"`;
    },
  },
  {
    name: "a 5 MiB value, byte-exact",
    async run({ client, storeId }) {
      const value = new Uint8Array(5 * 1024 * 1024);
      for (let offset = 0; offset < value.length; offset += 65_536) crypto.getRandomValues(value.subarray(offset, offset + 65_536));
      const started = performance.now();
      await client.putObjects({ storeId, transactionItems: [{ key: "big", version: 0n, value }] });
      const got = await client.getObject({ storeId, key: "big" });
      const [sent, received] = await Promise.all([sha256Hex(value), sha256Hex(got.value)]);
      check(got.value.length === value.length && sent === received, `read back ${got.value.length} bytes, sha256 ${received} ≠ ${sent}`);
      return `5 MiB put and read back in ${Math.round(performance.now() - started)} ms, sha256 ${sent.slice(0, 16)}…`;
    },
  },
  {
    name: "an encrypted value through StorableBuilder under a KeyObfuscator key",
    async run({ client, storeId }) {
      const obfuscator = new KeyObfuscator(crypto.getRandomValues(new Uint8Array(32)));
      const builder = new StorableBuilder(crypto.getRandomValues(new Uint8Array(32)));
      const key = obfuscator.obfuscate("payments#abc");
      const sealed = builder.seal(text("secret payment"), 0, text(key));
      await client.putObjects({ storeId, transactionItems: [{ key, version: 0n, value: sealed }] });
      const listed = (await listAllKeyVersions(client, { storeId, prefix: key })).keys.map((kv) => kv.key);
      check(listed.length === 1 && obfuscator.deobfuscate(listed[0] ?? "") === "payments#abc", `listed ${listed.join(",")}`);
      const stored = await client.getObject({ storeId, key });
      check(!untext(stored.value).includes("secret payment"), "the server holds the plaintext");
      const opened = builder.open(stored.value, text(key));
      check(untext(opened.value) === "secret payment", `decrypted "${untext(opened.value)}"`);
      return `stored under ${key.slice(0, 12)}…, decrypted "${untext(opened.value)}"`;
    },
  },
  {
    name: "typed errors: NoSuchKey and Conflict are caught as their classes",
    async run({ client, storeId }) {
      const missing = await expectRejection(client.getObject({ storeId, key: "never-written" }), NoSuchKeyError);
      await client.putObjects({ storeId, transactionItems: [{ key: "versioned", version: 0n, value: text("v1") }] });
      const conflict = await expectRejection(
        client.putObjects({ storeId, transactionItems: [{ key: "versioned", version: 0n, value: text("stale") }] }),
        ConflictError,
      );
      return `${missing}; ${conflict}`;
    },
  },
  // The multi-device extension (MULTIDEVICE.md): its checks follow the core ones.
  { name: "watch(): a ticket, the native WebSocket, and a put's change in order", run: watchThroughTicket },
  { name: "syncStore(): the whole store's values, then a deletion as it commits", run: syncFromPage },
];

/** The check run from an origin the server does not allow: the browser must refuse to hand over the answer. */
export const REFUSED_STEPS: Step[] = [
  {
    name: "an origin the server does not allow cannot read its answers (CORS)",
    async run({ client, storeId }) {
      const refused = await expectRejection(client.getObject({ storeId, key: "greeting" }), InternalError);
      return refused;
    },
  },
];
