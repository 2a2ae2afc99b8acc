// Runs one step of the interop suite as a process and counts its `PASS …` / `FAIL …: …` lines. A step that
// fails without saying why, reports nothing, or hangs becomes a FAIL line of its own.
import { spawn } from "node:child_process";

const STEP_TIMEOUT_MS = 15 * 60_000;

/** Tallies every step's lines and prints them as they arrive. */
export class Tally {
  passed = 0;
  failed = 0;

  /** Prints and counts one line; returns whether it was a result line. */
  line(text) {
    if (text.startsWith("PASS ")) this.passed++;
    else if (text.startsWith("FAIL ")) this.failed++;
    else return false;
    console.log(text);
    return true;
  }

  /** Records a failure found by the runner itself. */
  fail(name, why) {
    this.line(`FAIL ${name}: ${String(why).replace(/\s+/g, " ").slice(0, 2000)}`);
  }

  /** Runs `command args`; its result lines join the tally, other stdout lines are shown indented. */
  run(name, command, args, { cwd, env } = {}) {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let pending = "";
    let results = 0;
    let failures = 0;
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const text of lines) {
        if (this.line(text)) {
          results++;
          if (text.startsWith("FAIL ")) failures++;
        } else if (text.trim() !== "") console.log(`    ${text}`);
      }
    });
    child.stderr.on("data", (chunk) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), STEP_TIMEOUT_MS);
    return new Promise((resolve) => {
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        if (pending && this.line(pending)) results++;
        if (signal) this.fail(name, `killed by ${signal}${signal === "SIGKILL" ? ` (over ${STEP_TIMEOUT_MS / 60_000} min?)` : ""}; stderr: ${stderr}`);
        else if (code !== 0 && failures === 0) this.fail(name, `exited with ${code} without a FAIL line; stderr: ${stderr}`);
        else if (code === 0 && results === 0) this.fail(name, "reported no result");
        resolve(code === 0);
      });
    });
  }
}
