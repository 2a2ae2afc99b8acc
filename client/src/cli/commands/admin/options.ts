import { parseArgs } from "node:util";
import { UsageError } from "../../options.js";
import { IDENTITY_SCHEMES, type IdentityScheme } from "./identity-map.js";

/** Usage text of `vss admin --help`. */
export const ADMIN_USAGE = `Usage: vss admin <command> [options]

Commands (the operator's; they use the deployment's /admin routes):
  migrate --from postgres://… --to https://host   move a reference vss-server database into this service
  export  --from https://host --to DIR            write stores to DIR (a manifest and one file per store)
  export  --from https://host --to postgres://…   write stores into a database the reference server can serve
  import  --from DIR --to https://host            load an export directory into a deployment

Options:
  --admin-token <token>     VSS_ADMIN_TOKEN   the deployment's admin token
  --identity <identity>     only this identity (repeatable), e.g. sigs:02ab…, jwt:alice
  --identity-scheme <s>     migrate: how user_token maps to an identity: auto (default), sigs, jwt, lnurl, none
  --replace                 overwrite target stores that already hold other data (or another source's unfinished import)
  --dry-run                 read everything, write nothing, report what would happen
  --concurrency <n>         stores moved in parallel (default 4)
  --report <file>           also write the final report as JSON
  --quiet                   no progress on stderr
`;

export interface AdminOptions {
  command?: string;
  from?: string;
  to?: string;
  token?: string;
  identities: string[];
  scheme: IdentityScheme;
  replace: boolean;
  dryRun: boolean;
  concurrency: number;
  report?: string;
  quiet: boolean;
  help: boolean;
}

/** Parses `vss admin …` (argv after "admin") and the environment. */
export function parseAdminOptions(argv: string[], env: Record<string, string | undefined>): AdminOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        "admin-token": { type: "string" },
        identity: { type: "string", multiple: true },
        "identity-scheme": { type: "string" },
        replace: { type: "boolean" },
        "dry-run": { type: "boolean" },
        concurrency: { type: "string" },
        report: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  const scheme = (v["identity-scheme"] ?? "auto") as IdentityScheme;
  if (!IDENTITY_SCHEMES.includes(scheme)) throw new UsageError(`--identity-scheme must be one of ${IDENTITY_SCHEMES.join(", ")}`);
  const concurrency = Number(v.concurrency ?? 4);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError("--concurrency must be 1 … 64");
  return {
    command: parsed.positionals[0],
    from: v.from,
    to: v.to,
    token: v["admin-token"] ?? env.VSS_ADMIN_TOKEN,
    identities: v.identity ?? [],
    scheme,
    replace: v.replace ?? false,
    dryRun: v["dry-run"] ?? false,
    concurrency,
    report: v.report,
    quiet: v.quiet ?? false,
    help: v.help ?? false,
  };
}

export const isPostgresUrl = (url: string | undefined) => url !== undefined && /^postgres(ql)?:\/\//.test(url);
export const isHttpUrl = (url: string | undefined) => url !== undefined && /^https?:\/\//.test(url);

/** `--name`, required, of the right kind. */
export function required(options: AdminOptions, name: "from" | "to", kind: "http" | "postgres" | "any"): string {
  const value = options[name];
  if (!value) throw new UsageError(`${options.command} needs --${name}`);
  if (kind === "http" && !isHttpUrl(value)) throw new UsageError(`--${name} must be the deployment's URL (https://host)`);
  if (kind === "postgres" && !isPostgresUrl(value)) throw new UsageError(`--${name} must be a postgres:// URL`);
  return value;
}

/** The admin token, required. */
export function adminToken(options: AdminOptions): string {
  if (!options.token) throw new UsageError("the admin token is required: --admin-token or VSS_ADMIN_TOKEN");
  return options.token;
}
