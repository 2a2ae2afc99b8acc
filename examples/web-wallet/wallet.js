// A web wallet's first use of VSS: open a store with a key kept in the page, list it, edit a value, and see other
// tabs' and devices' changes as they commit (watch). Values are encrypted in the page (StorableBuilder); a write is
// conditional on the version the edited text was loaded at, so it never overwrites a change made elsewhere.
import { ConflictError, listAllKeyVersions, sigsAuth, StorableBuilder, VssClient, watch } from "@edge-vss/client";

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

/** The version of each key as last listed. */
const listed = new Map();
/** The key in the editor and the version its text was loaded at (or saved as): what a save expects to replace. */
let editing = { key: "", version: 0n };
const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

async function refresh() {
  const { keys } = await listAllKeyVersions(vss, { storeId: STORE_ID });
  listed.clear();
  $("keys").replaceChildren(
    ...keys.map(({ key, version }) => {
      listed.set(key, version);
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
  editing = { key, version };
  $("key").value = key;
  $("value").value = new TextDecoder().decode(sealer.open(value, text.encode(key)).value);
  $("status").textContent = `loaded ${key} (version ${version})`;
}

/** @param {SubmitEvent} event */
async function save(event) {
  event.preventDefault();
  const key = $("key").value;
  const version = editing.key === key ? editing.version : 0n; // a key not loaded here: create only
  const value = sealer.seal(text.encode($("value").value), version, text.encode(key));
  try {
    await vss.putObjects({ storeId: STORE_ID, transactionItems: [{ key, version, value }] });
    editing = { key, version: version + 1n };
    $("status").textContent = `saved ${key}`;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    $("status").textContent = `${key} was changed elsewhere: reloaded, edit again`;
  }
  await refresh();
}

/** Each change another tab or device commits refreshes the list; the watch reconnects and catches up by itself. */
async function live() {
  for await (const event of watch(vss, { storeId: STORE_ID, onStatus: (status) => ($("live").textContent = status.state) })) {
    await refresh();
    const now = listed.get(editing.key);
    const elsewhere = event.type === "reset" || event.changes.some((change) => change.key === editing.key);
    if (editing.key && elsewhere && now !== editing.version) {
      $("status").textContent = `${editing.key} changed elsewhere (version ${now ?? "deleted"}): open it again before saving`;
    }
  }
}

$("service").textContent = VSS_URL;
$("identity").textContent = `sigs key …${localStorage.getItem("vss-example-signing-key")?.slice(-8)}`;
$("edit").addEventListener("submit", (event) => void save(event).catch(report));
refresh().catch(report);
live().catch(report);

/** @param {Error} error */
function report(error) {
  $("status").textContent = `${error.name}: ${error.message}`;
}
