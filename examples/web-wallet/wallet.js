// A web wallet's first use of VSS: open a store with a key kept in the page, list it, edit a value.
// Values are encrypted in the page (StorableBuilder); writes are conditional on the version last read.
import { ConflictError, listAllKeyVersions, sigsAuth, StorableBuilder, VssClient } from "@edge-vss/client";

const VSS_URL = new URLSearchParams(location.search).get("vss") ?? "http://127.0.0.1:8787/vss";
const STORE_ID = "web-wallet-example";

/** 32 random bytes kept in localStorage under `name`. A real wallet derives its keys from its seed instead.
 * @param {string} name */
function pageKey(name) {
  const saved = localStorage.getItem(name);
  if (saved) return Uint8Array.from(saved.match(/../g) ?? [], (hex) => parseInt(hex, 16));
  const key = crypto.getRandomValues(new Uint8Array(32));
  localStorage.setItem(name, Array.from(key, (b) => b.toString(16).padStart(2, "0")).join(""));
  return key;
}

const signingKey = pageKey("vss-example-signing-key");
const vss = new VssClient(VSS_URL, { headerProvider: sigsAuth(signingKey) });
const sealer = new StorableBuilder(pageKey("vss-example-data-key"));
const text = new TextEncoder();

/** The version of each key as last listed or written: what a conditional write expects to replace. */
const versions = new Map();
const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

async function refresh() {
  const { keys } = await listAllKeyVersions(vss, { storeId: STORE_ID });
  versions.clear();
  $("keys").replaceChildren(
    ...keys.map(({ key, version }) => {
      versions.set(key, version);
      const row = document.createElement("tr");
      const open = document.createElement("button");
      open.textContent = "open";
      open.onclick = () => void load(key);
      row.append(cell(key), cell(String(version)), cell(open));
      return row;
    }),
  );
}

/** @param {string | Node} content */
function cell(content) {
  const td = document.createElement("td");
  td.append(content);
  return td;
}

/** @param {string} key */
async function load(key) {
  const { value, version } = await vss.getObject({ storeId: STORE_ID, key });
  versions.set(key, version);
  $("key").value = key;
  $("value").value = new TextDecoder().decode(sealer.open(value, text.encode(key)).value);
  $("status").textContent = `loaded ${key} (version ${version})`;
}

/** @param {SubmitEvent} event */
async function save(event) {
  event.preventDefault();
  const key = $("key").value;
  const version = versions.get(key) ?? 0n; // 0: create only
  const value = sealer.seal(text.encode($("value").value), version, text.encode(key));
  try {
    await vss.putObjects({ storeId: STORE_ID, transactionItems: [{ key, version, value }] });
    $("status").textContent = `saved ${key}`;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    $("status").textContent = `${key} was changed elsewhere: reloaded, edit again`;
  }
  await refresh();
}

$("service").textContent = VSS_URL;
$("identity").textContent = `sigs key …${localStorage.getItem("vss-example-signing-key")?.slice(-8)}`;
$("edit").addEventListener("submit", (event) => void save(event).catch(report));
refresh().catch(report);

/** @param {Error} error */
function report(error) {
  $("status").textContent = `${error.name}: ${error.message}`;
}
