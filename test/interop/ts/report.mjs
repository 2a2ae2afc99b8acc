// One line per check on stdout, `PASS <name>` or `FAIL <name>: <why>`, counted by scripts/interop.mjs.

/** Command-line `--name value` pairs after the command word. */
export function parseOptions(argv) {
  const [command, ...rest] = argv;
  const values = new Map();
  for (let i = 0; i < rest.length; i += 2) {
    if (!rest[i].startsWith("--") || rest[i + 1] === undefined) throw new Error(`bad option ${rest[i]}`);
    values.set(rest[i].slice(2), rest[i + 1]);
  }
  const get = (name) => {
    if (!values.has(name)) throw new Error(`missing --${name}`);
    return values.get(name);
  };
  return { command, get };
}

/** A reporter whose names start with `prefix`; `exitCode()` is 1 once anything failed. */
export function reporter(prefix) {
  let failed = 0;
  return {
    /** Runs `check` (sync or async) and prints its outcome. */
    async check(name, check) {
      try {
        await check();
        console.log(`PASS ${prefix} / ${name}`);
      } catch (error) {
        failed++;
        const why = String(error?.message ?? error).replace(/\s+/g, " ");
        console.log(`FAIL ${prefix} / ${name}: ${why}`);
      }
    },
    exitCode: () => (failed === 0 ? 0 : 1),
  };
}

/** Throws `message` unless `condition` holds. */
export function ensure(condition, message) {
  if (!condition) throw new Error(typeof message === "function" ? message() : message);
}

/** JSON with bigints as decimal strings and every non-ASCII character escaped (so U+FEFF shows). */
function show(value) {
  const json = JSON.stringify(value, (_, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "undefined";
  return json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Throws unless `got` and `want` are equal (compared as JSON). */
export function expectEqual(what, got, want) {
  const [g, w] = [show(got), show(want)];
  ensure(g === w, () => `${what}: got ${g.slice(0, 200)}, want ${w.slice(0, 200)}`);
}

export const hex = {
  encode: (bytes) => Buffer.from(bytes).toString("hex"),
  decode: (text) => new Uint8Array(Buffer.from(text, "hex")),
};
