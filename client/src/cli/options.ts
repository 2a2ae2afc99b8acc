import { parseArgs } from "node:util";

/** Usage text of `vss --help`. */
export const USAGE = `Usage: vss [options] <command> [arguments]

Commands:
  get <key>                 print a value (raw bytes) to stdout, or to --out <file>
  put <key> [value]         write a value from the argument, --file <file> or stdin (version --version, default -1)
  delete <key>              delete a key (version --version, default -1)
  list                      list keys and versions, newest first (--prefix, --page-size, --limit, --json)
  export <file>             write every key, version and value of the store to a JSON Lines file
  import <file>             write the values of an export file into the store (--create-only, --batch)
  lease acquire             take the store's writer lease; prints token, epoch, holder, expiry (--holder, --ttl, --force)
  lease hold                acquire, then keep renewing until Ctrl-C (releases) or until lost (exit 1)
  lease renew|release       renew or give back the lease of --lease <token> (renew: --ttl)
  lease show                who holds the lease, its epoch and expiry, or "no live lease"
  watch                     print each change as it commits: "revision<TAB>key<TAB>version|deleted" (--since, --json)
  changes                   print the changes after --since <revision> (default 0), oldest first (--json)
  history                   the store's revisions: "revision<TAB>time<TAB>changes" (--since, --limit, --json)
  verify                    recompute the history's hash chain, audit every current value against it (exit 0 pass,
                            1 fail; --checkpoint R:D must lie on the chain)
  show --at <R> <key>       a key's value as it was just after revision R (raw bytes; --out, --json)
  restore --to-revision <R> put the store (--prefix) back as it was after revision R as a new, forward write
                            (--dry-run prints the plan only; --lease). Never restore Lightning channel state:
                            an older channel state is how a node loses its funds
  head publish|compare      devices compare heads (needs --seed; its data key seals the record): publish proves the
                            store's head and writes it (--holder, --lease); compare proves the published head lies
                            on the chain this device is shown (exit 1 on a fork or rollback)
  admin …                   the operator's commands: migrate, export, import (vss admin --help)

Connection (flag or environment):
  --url <url>               VSS_URL          base URL, e.g. https://vss.example.com/vss
  --store <id>              VSS_STORE_ID     store id (default: empty)
  --timeout <ms>            VSS_TIMEOUT_MS   per-request deadline (default 10000)
  --retries <n>             VSS_RETRIES      max attempts per request (default: ldk-node's policy)
Authentication (the first one given wins):
  --token <jwt>             VSS_TOKEN        Authorization: Bearer <jwt>
  --lnurl-auth <url>        VSS_LNURL_AUTH_URL  LNURL-auth issuer; the linking key comes from --seed (m/877'/138')
  --sigs-key <hex>          VSS_SIGS_KEY     32-byte secp256k1 secret key for sigs
  --seed <hex>              VSS_SEED         ldk-node seed (64 bytes): sigs with the key at m/877'/139'
  --header "Name: value"    VSS_HEADERS      extra headers, repeatable (environment: one per line)
Several devices:
  --lease <token>           VSS_LEASE        send "vss-lease: <token>" on every request: put and delete are
                                             fenced by the lease (refused once it is not live)
  --holder <label>          lease acquire/hold, head publish: who holds it, for people (lease default "vss CLI on <host>")
  --ttl <seconds>           lease acquire/hold/renew: 5–3600 (default 30)
  --force                   lease acquire/hold: take over a live lease (its holder's next write is refused)
  --since <revision>        watch, changes, history: start after this revision (watch default: now; others: 0)
ldk-node mode:
  --ldk                     keys are primary/secondary/key, values are decrypted and encrypted with --seed
Output:
  --quiet                   no progress on stderr
  --help
`;

const OPTIONS = {
  url: { type: "string" },
  store: { type: "string" },
  timeout: { type: "string" },
  retries: { type: "string" },
  token: { type: "string" },
  "lnurl-auth": { type: "string" },
  "sigs-key": { type: "string" },
  seed: { type: "string" },
  header: { type: "string", multiple: true },
  ldk: { type: "boolean" },
  out: { type: "string" },
  file: { type: "string" },
  version: { type: "string" },
  prefix: { type: "string" },
  "page-size": { type: "string" },
  limit: { type: "string" },
  json: { type: "boolean" },
  batch: { type: "string" },
  concurrency: { type: "string" },
  "create-only": { type: "boolean" },
  lease: { type: "string" },
  holder: { type: "string" },
  ttl: { type: "string" },
  force: { type: "boolean" },
  since: { type: "string" },
  at: { type: "string" },
  checkpoint: { type: "string" },
  "to-revision": { type: "string" },
  "dry-run": { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** A mistake in how the CLI was called; printed with the usage and exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parsed command line with the environment filled in. */
export interface CliOptions {
  command?: string;
  args: string[];
  url?: string;
  store: string;
  timeoutMs?: number;
  retries?: number;
  token?: string;
  lnurlAuth?: string;
  sigsKey?: string;
  seed?: string;
  headers: string[];
  ldk: boolean;
  out?: string;
  file?: string;
  version?: bigint;
  prefix?: string;
  pageSize?: number;
  limit?: number;
  json: boolean;
  batch?: number;
  concurrency?: number;
  createOnly: boolean;
  lease?: string;
  holder?: string;
  ttlSeconds?: number;
  force: boolean;
  since?: bigint;
  at?: bigint;
  checkpoint?: string;
  toRevision?: bigint;
  dryRun: boolean;
  quiet: boolean;
  help: boolean;
}

function integer(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${text}`);
  return value;
}

function revision(name: string, text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a revision (an integer ≥ 0), got ${text}`);
  return BigInt(text);
}

function version(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new UsageError(`--version must be an integer, got ${text}`);
  return BigInt(text);
}

/** Parses argv (without node and script) and the environment into options. */
export function parseOptions(argv: string[], env: Record<string, string | undefined>): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values: v, positionals } = parsed;
  const envHeaders = (env.VSS_HEADERS ?? "").split("\n").filter((line) => line.trim() !== "");
  return {
    command: positionals[0],
    args: positionals.slice(1),
    url: v.url ?? env.VSS_URL,
    store: v.store ?? env.VSS_STORE_ID ?? "",
    timeoutMs: integer("timeout", v.timeout ?? env.VSS_TIMEOUT_MS, 1),
    retries: integer("retries", v.retries ?? env.VSS_RETRIES, 1),
    token: v.token ?? env.VSS_TOKEN,
    lnurlAuth: v["lnurl-auth"] ?? env.VSS_LNURL_AUTH_URL,
    sigsKey: v["sigs-key"] ?? env.VSS_SIGS_KEY,
    seed: v.seed ?? env.VSS_SEED,
    headers: [...envHeaders, ...(v.header ?? [])],
    ldk: v.ldk ?? false,
    out: v.out,
    file: v.file,
    version: version(v.version),
    prefix: v.prefix,
    pageSize: integer("page-size", v["page-size"], 0),
    limit: integer("limit", v.limit, 1),
    json: v.json ?? false,
    batch: integer("batch", v.batch, 1),
    concurrency: integer("concurrency", v.concurrency, 1),
    createOnly: v["create-only"] ?? false,
    lease: v.lease ?? env.VSS_LEASE,
    holder: v.holder,
    ttlSeconds: integer("ttl", v.ttl, 1),
    force: v.force ?? false,
    since: revision("since", v.since),
    at: revision("at", v.at),
    checkpoint: v.checkpoint,
    toRevision: revision("to-revision", v["to-revision"]),
    dryRun: v["dry-run"] ?? false,
    quiet: v.quiet ?? false,
    help: v.help ?? false,
  };
}
