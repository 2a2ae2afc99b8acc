// wrk for `npm run bench`: installing it, the signed header pools and request files it replays, and one run.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";

const MIB = 1024 * 1024;

/** Runs a command; its trimmed output, or null when it failed. */
export function sh(command, args) {
  const run = spawnSync(command, args, { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : null;
}

export function ensureWrk() {
  if (sh("sh", ["-c", "command -v wrk"])) return;
  console.log("wrk is missing: installing it from Debian (apt-get install -y wrk)");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  for (const args of [["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]]) {
    const run = spawnSync(sudo[0] ?? args[0], [...sudo.slice(1), ...(sudo.length ? args : args.slice(1))], { stdio: "inherit" });
    if (run.status !== 0) throw new Error(`${args.join(" ")} failed; install wrk and run again`);
  }
}

/** Signed `authorization` values of one key at the last `count` seconds, as a wallet signing once a second would. */
export function headerPool(key, count) {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => key.header(now - i));
}

/**
 * `value` with `i` written over its first bytes: every replayed write stores bytes that differ from the key's last
 * ones, as a wallet's freshly encrypted values always do (rewriting identical bytes costs SQLite next to nothing).
 */
export function stamped(value, i) {
  const copy = Buffer.from(value);
  copy.write(String(i).padStart(8, "0"), 0, "latin1");
  return copy;
}

function rawRequest(host, path, authorization, body) {
  const head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nauthorization: ${authorization}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

/** Writes a wrk request file: `count` requests, the i-th built by make(i) → [path, authorization, body]. */
export function requestFile(dir, name, host, count, make) {
  const parts = [];
  for (let i = 0; i < count; i++) {
    const [path, authorization, body] = make(i);
    const request = rawRequest(host, path, authorization, body);
    parts.push(Buffer.from(`${request.length}\n`), request);
  }
  const file = `${dir}/${name}.req`;
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

export function wrk(url, connections, seconds, script, args) {
  const run = spawnSync("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", script, url, "--", ...args], {
    encoding: "utf8",
    maxBuffer: 16 * MIB,
  });
  const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
  if (run.status !== 0 || !line) throw new Error(`wrk failed:\n${run.stdout}\n${run.stderr}`);
  const r = JSON.parse(line);
  return { rps: r.requests / (r.duration_us / 1e6), p50: r.p50_us / 1000, p99: r.p99_us / 1000, requests: r.requests, bad: r.non2xx + r.socket_errors };
}
