// Byte compatibility, the TypeScript side (see vss-client-scenarios/compat.rs for the Rust side).
//   node compat.mjs write|read --url U --sigs-key HEX --store ID --data-key HEX --obfuscation-key HEX --manifest PATH
// `write` seals values with our StorableBuilder under keys from our KeyObfuscator and writes the manifest;
// `read` opens what a vss-client-ng version sealed, from the manifest it wrote.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { KeyObfuscator, StorableBuilder, VssClient, listAllKeyVersions, sigsAuth, NO_RETRY } from "./client.mjs";
import { ensure, expectEqual, hex, parseOptions, reporter } from "./report.mjs";

const WRITER = "TypeScript client";
const utf8 = (text) => new TextEncoder().encode(text);

function material(options) {
  return {
    client: new VssClient(options.get("url"), { headerProvider: sigsAuth(hex.decode(options.get("sigs-key"))), retryPolicy: NO_RETRY }),
    storeId: options.get("store"),
    builder: new StorableBuilder(hex.decode(options.get("data-key"))),
    obfuscator: new KeyObfuscator(hex.decode(options.get("obfuscation-key"))),
    manifestPath: options.get("manifest"),
  };
}

const aadOf = (aad, storageKey) => (aad === "storage-key" ? utf8(storageKey) : new Uint8Array(0));

/** What this side seals: like the Rust side's cases, with keys and values of its own. */
const CASES = [
  ["an ldk-node-like key", "network_graph", randomBytes(3000), 0n, "storage-key"],
  ["a key with separators", "bdk_wallet#tx_graph#x", randomBytes(200), 5n, "storage-key"],
  ["the empty key and an empty value", "", new Uint8Array(0), 1n, "storage-key"],
  ["a non-ASCII key", "schlüssel 🗝️ ñ", randomBytes(77), 9223372036854775807n, "storage-key"],
  ["a key starting with U+FEFF", "\uFEFFts-bom", utf8("bom"), 3n, "storage-key"],
  ["version -1 inside the blob", "minus", randomBytes(10), -1n, "storage-key"],
  ["a 1 MiB value", "big", randomBytes(1 << 20), 2n, "storage-key"],
  ["an empty AAD (older stores)", "legacy", randomBytes(100), 42n, "none"],
];
const RAW_CASES = [
  ["plain key starting with U+FEFF", "\uFEFFts-bom", utf8("with BOM")],
  ["plain key without it", "ts-bom", utf8("without")],
];

async function write(m, report) {
  const entries = [];
  const items = [];
  for (const [label, key, value, version, aad] of CASES) {
    const storageKey = m.obfuscator.obfuscate(key);
    items.push({ key: storageKey, version: -1n, value: m.builder.seal(value, version, aadOf(aad, storageKey)) });
    entries.push({ label, key, storageKey, aad, version: version.toString(), valueHex: hex.encode(value) });
  }
  const raw = RAW_CASES.map(([label, key, value]) => {
    items.push({ key, version: -1n, value });
    return { label, key, valueHex: hex.encode(value) };
  });
  await report.check(`byte compat: seal ${items.length} values for vss-client-ng`, async () => {
    await m.client.putObjects({ storeId: m.storeId, transactionItems: items });
    writeFileSync(m.manifestPath, JSON.stringify({ writer: WRITER, storeId: m.storeId, entries, raw }));
  });
}

async function read(m, report) {
  const manifest = JSON.parse(readFileSync(m.manifestPath, "utf8"));
  await report.check(`byte compat: ${manifest.writer}'s store lists exactly its keys`, async () => {
    const { keys } = await listAllKeyVersions(m.client, { storeId: m.storeId });
    const listed = keys.map((kv) => kv.key).sort();
    const want = [...manifest.entries.map((e) => e.storageKey), ...manifest.raw.map((e) => e.key)].sort();
    expectEqual("storage keys", listed, want);
  });
  for (const entry of manifest.entries) {
    await report.check(`byte compat: open ${manifest.writer}'s ${entry.label}`, async () => {
      expectEqual("obfuscate(key) here", m.obfuscator.obfuscate(entry.key), entry.storageKey);
      expectEqual("deobfuscated key", m.obfuscator.deobfuscate(entry.storageKey), entry.key);
      const found = await m.client.getObject({ storeId: m.storeId, key: entry.storageKey });
      const { value, version } = m.builder.open(found.value, aadOf(entry.aad, entry.storageKey));
      expectEqual("version in the blob", version.toString(), entry.version);
      ensure(hex.encode(value) === entry.valueHex, `value: got ${value.length} bytes, want ${entry.valueHex.length / 2} (or different content)`);
    });
  }
  for (const entry of manifest.raw) {
    await report.check(`byte compat: read ${manifest.writer}'s ${entry.label}`, async () => {
      const found = await m.client.getObject({ storeId: m.storeId, key: entry.key });
      expectEqual("key", found.key, entry.key);
      expectEqual("value", hex.encode(found.value), entry.valueHex);
    });
  }
}

const options = parseOptions(process.argv.slice(2));
const report = reporter(WRITER);
const m = material(options);
if (options.command === "write") await write(m, report);
else if (options.command === "read") await read(m, report);
else throw new Error(`unknown command ${options.command}`);
process.exitCode = report.exitCode();
