import { readFile, writeFile } from "node:fs/promises";
import { UsageError, type CliOptions } from "./options.js";

/** Reads all of stdin. */
export async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The value of `put`: the argument as UTF-8, --file, or stdin. */
export async function valueToPut(options: CliOptions): Promise<Uint8Array> {
  const [, inline] = options.args;
  if (inline !== undefined && options.file) throw new UsageError("give the value either as an argument or with --file");
  if (inline !== undefined) return new TextEncoder().encode(inline);
  if (options.file) return readFile(options.file);
  return readStdin();
}

/** Writes a fetched value to --out or raw to stdout. */
export async function emitValue(options: CliOptions, value: Uint8Array): Promise<void> {
  if (options.out) await writeFile(options.out, value);
  else await new Promise<void>((resolve, reject) => process.stdout.write(value, (error) => (error ? reject(error) : resolve())));
}

/** Writes one line to stdout. */
export function printLine(line: string): void {
  process.stdout.write(line + "\n");
}

/** A note for humans on stderr, unless --quiet. */
export function note(options: CliOptions, line: string): void {
  if (!options.quiet) process.stderr.write(line + "\n");
}

/** The first positional argument, or a usage error naming the command. */
export function keyArgument(options: CliOptions): string {
  const [key] = options.args;
  if (key === undefined) throw new UsageError(`${options.command} needs a key`);
  return key;
}
