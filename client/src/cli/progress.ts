/** How often a non-terminal stderr gets a progress line. */
const LINE_INTERVAL_MS = 1_000;
/** How often a terminal's progress line is redrawn. */
const REDRAW_INTERVAL_MS = 100;

/** Progress of a long operation on stderr: one redrawn line on a terminal, a line per second otherwise. */
export class Progress {
  #done = 0;
  #bytes = 0;
  #last = 0;
  #lastLine = "";

  constructor(
    readonly verb: string,
    readonly total: number | undefined,
    readonly stream: NodeJS.WriteStream = process.stderr,
    readonly quiet = false,
  ) {}

  /** Counts `items` more items of `bytes` bytes and reports when it is time to. */
  advance(items: number, bytes: number): void {
    this.#done += items;
    this.#bytes += bytes;
    const now = Date.now();
    if (now - this.#last >= (this.stream.isTTY ? REDRAW_INTERVAL_MS : LINE_INTERVAL_MS)) {
      this.#last = now;
      this.#write(false);
    }
  }

  /** The final line. */
  finish(): void {
    this.#write(true);
  }

  #write(final: boolean): void {
    if (this.quiet) return;
    const of = this.total === undefined ? "" : `/${this.total}`;
    const line = `${this.verb} ${this.#done}${of} keys (${(this.#bytes / 1_048_576).toFixed(1)} MiB)`;
    if (line === this.#lastLine && !(final && this.stream.isTTY)) return;
    this.#lastLine = line;
    if (this.stream.isTTY) this.stream.write(`\r${line}${final ? "\n" : ""}`);
    else this.stream.write(`${line}\n`);
  }
}
