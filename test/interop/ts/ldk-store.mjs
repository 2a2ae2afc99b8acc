// What ldk-node wrote, read back by our TypeScript client from the seed alone.
//   node ldk-store.mjs read --url U --lnurl-url U --auth sigs|lnurl --seed HEX --store ID --handover PATH
// The hand-over file (from the ldk-node-0.7 binary) names the node id, the payment it kept and the one it removed.
import { readFileSync } from "node:fs";
import {
  KeyObfuscator,
  LdkNodeKvStore,
  StorableBuilder,
  VssClient,
  auditStore,
  deriveLdkNodeSecrets,
  listAllKeyVersions,
  lnurlAuthJwt,
  sigsAuth,
  verifyHistory,
  verifying,
} from "./client.mjs";
import { ensure, expectEqual, hex, parseOptions, reporter } from "./report.mjs";

/** Keys ldk-node 0.7 writes for a node that started and stopped: primary namespace, key. */
const EXPECTED = [
  ["", "manager"],
  ["", "network_graph"],
  ["", "scorer"],
  ["", "node_metrics"],
  ["bdk_wallet", "descriptor"],
  ["bdk_wallet", "change_descriptor"],
  ["bdk_wallet", "network"],
  ["bdk_wallet", "indexer"],
];

const options = parseOptions(process.argv.slice(2));
const auth = options.get("auth");
const report = reporter(`TypeScript LdkNodeKvStore (${auth})`);
const seed = hex.decode(options.get("seed"));
const storeId = options.get("store");
const handover = JSON.parse(readFileSync(options.get("handover"), "utf8"));
const secrets = deriveLdkNodeSecrets(seed);
const headerProvider =
  auth === "sigs" ? sigsAuth(secrets.signingKey) : lnurlAuthJwt({ parentKey: secrets.lnurlAuthParent, authUrl: options.get("lnurl-url") });
const client = new VssClient(options.get("url"), { headerProvider });

/** Every value of the store, deobfuscated and decrypted: "primary#secondary" → key → plaintext. */
async function dump() {
  const obfuscator = new KeyObfuscator(secrets.obfuscationMasterKey);
  const builder = new StorableBuilder(secrets.dataEncryptionKey);
  const { keys } = await listAllKeyVersions(client, { storeId });
  const entries = [];
  for (const { key: storageKey } of keys) {
    const [namespace, key, ...rest] = storageKey.split("#");
    ensure(rest.length === 0 && key !== undefined, `not a schema V1 storage key: ${storageKey}`);
    const found = await client.getObject({ storeId, key: storageKey });
    const { value } = builder.open(found.value, new TextEncoder().encode(storageKey));
    entries.push({ namespace: obfuscator.deobfuscate(namespace), key: obfuscator.deobfuscate(key), value });
  }
  return entries;
}

let entries = [];
await report.check("lists, deobfuscates and decrypts every key ldk-node wrote, from the seed", async () => {
  entries = await dump();
  ensure(entries.length > 0, "the store is empty");
  console.log(`  ${entries.length} keys: ${entries.map((e) => `${e.namespace}/${e.key}`).join(", ")}`);
});
for (const [primary, key] of EXPECTED) {
  await report.check(`finds ${primary || "(top level)"}/${key}`, () => {
    ensure(entries.some((e) => e.namespace === `${primary}#` && e.key === key), "not in the store");
  });
}
await report.check("LdkNodeKvStore.open detects schema V1; the payments are the kept one, not the removed one", async () => {
  const store = await LdkNodeKvStore.open({ client, storeId, seed, readOnly: true });
  expectEqual("schema version", store.schemaVersion, 1);
  const payments = await store.list("payments", "");
  expectEqual("payments", payments, [handover.paymentId]);
  const details = await store.read("payments", "", handover.paymentId);
  ensure(hex.encode(details).includes(handover.paymentId), "the payment record does not contain its id");
  console.log(`  node ${handover.nodeId}: payment ${handover.paymentId}, ${details.length} bytes`);
});
// Verifiable history (HISTORY.md): what vss-client-ng wrote through ldk-node is a chain the TypeScript client
// recomputes from the store's genesis, and every value ldk-node left matches the chain's last record of its key.
await report.check("the history of ldk-node's writes recomputes from its genesis, and every current value matches it", async () => {
  const verified = await verifyHistory(client, storeId);
  ensure(verified.base.genesis, `the chain starts at revision ${verified.base.revision}, not the genesis`);
  expectEqual("gaps", verified.gaps.length, 0);
  ensure(verified.recomputed >= entries.length, `${verified.recomputed} revisions recomputed for ${entries.length} keys`);
  const audit = await auditStore(client, storeId, verified.chain);
  ensure(audit !== undefined, "the store changed while it was audited");
  expectEqual("mismatched values", audit.mismatched, []);
  expectEqual("values with no record", audit.unknown, []);
  expectEqual("values matched", audit.matched, entries.length);
  console.log(`  ${verified.recomputed} revisions, head ${verified.head.revision}:${verified.head.digest.slice(0, 16)}…, ${audit.matched} values audited`);
});
await report.check("a verifying client reads ldk-node's store from a checkpoint at its head, auditing each value", async () => {
  const verified = await verifyHistory(client, storeId);
  const checked = new VssClient(options.get("url"), { headerProvider, verify: verifying({ audit: true }) });
  for (const { key } of (await listAllKeyVersions(checked, { storeId })).keys) await checked.getObject({ storeId, key });
  const after = await checked.getHistory({ storeId, afterRevision: verified.head.revision, pageSize: 1 });
  expectEqual("head revision", after.headRevision, verified.head.revision);
});
process.exitCode = report.exitCode();
