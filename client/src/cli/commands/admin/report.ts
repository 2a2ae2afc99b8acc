import { writeFile } from "node:fs/promises";

/** What happened to one store. */
export type StoreOutcome = { kind: "done" | "already" | "would"; keys: number; bytes: number } | { kind: "skipped" | "failed"; reason: string };

/** The final report of a migrate, export or import run: counts, and every store skipped or failed with why. */
export class Report {
  readonly identities = new Set<string>();
  stores = 0;
  done = 0;
  already = 0;
  keys = 0;
  bytes = 0;
  readonly skipped: { identity: string; storeId: string; reason: string }[] = [];
  readonly failed: { identity: string; storeId: string; reason: string }[] = [];

  constructor(
    readonly action: string,
    readonly dryRun: boolean,
  ) {}

  add(identity: string, storeId: string, outcome: StoreOutcome): void {
    this.identities.add(identity);
    this.stores++;
    if (outcome.kind === "skipped") this.skipped.push({ identity, storeId, reason: outcome.reason });
    else if (outcome.kind === "failed") this.failed.push({ identity, storeId, reason: outcome.reason });
    else if (outcome.kind === "done" || outcome.kind === "already" || outcome.kind === "would") {
      if (outcome.kind === "already") this.already++;
      else this.done++;
      this.keys += outcome.keys;
      this.bytes += outcome.bytes;
    }
  }

  toJSON() {
    const { action, dryRun, stores, done, already, keys, bytes, skipped, failed } = this;
    return { action, dryRun, identities: this.identities.size, stores, [dryRun ? "wouldMove" : "moved"]: done, alreadyThere: already, keys, bytes, skipped, failed };
  }

  /** A human summary (stdout), and the JSON report in `file` when given. */
  async print(file?: string): Promise<void> {
    const verb = this.dryRun ? "would move" : "moved";
    const lines = [
      `${this.action}${this.dryRun ? " (dry run: nothing written)" : ""}`,
      `  identities: ${this.identities.size}`,
      `  stores: ${this.stores} (${verb} ${this.done}, already there ${this.already}, skipped ${this.skipped.length}, failed ${this.failed.length})`,
      `  keys: ${this.keys}`,
      `  bytes: ${this.bytes} (${(this.bytes / 1_048_576).toFixed(1)} MiB)`,
      ...this.skipped.map((s) => `  skipped ${JSON.stringify(s.identity)} store ${JSON.stringify(s.storeId)}: ${s.reason}`),
      ...this.failed.map((s) => `  FAILED ${JSON.stringify(s.identity)} store ${JSON.stringify(s.storeId)}: ${s.reason}`),
    ];
    process.stdout.write(lines.join("\n") + "\n");
    if (file) await writeFile(file, JSON.stringify(this.toJSON(), null, 2) + "\n");
  }
}
