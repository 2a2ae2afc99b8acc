// The crash test's checks (scripts/crash-test.mjs): after the kills, every acknowledged write is present with its
// exact value and version, multi-item puts are all or nothing, and the change feed agrees with the data.
import { decodeChanges, decodeGetObject, decodeList, getObjectRequest, listChangesRequest, listKeyVersionsRequest } from "../lib/vss-wire.mjs";

/** Checks one written key against what the writers know: exact value and version, or absent when allowed. */
async function verifyKey({ read, content }, store, k, state, failures) {
  const answer = await read("/vss/getObject", getObjectRequest(store, k));
  if (answer.status === 404) {
    if (state.acked > 0) failures.push(`${store}/${k}: acknowledged at version ${state.acked} but missing`);
    return;
  }
  if (answer.status !== 200) return failures.push(`${store}/${k}: answered ${answer.status}`);
  const got = decodeGetObject(answer.body);
  const allowed = [state.acked, state.maybe].filter((v) => v !== null && v > 0);
  if (!allowed.includes(got.version)) return failures.push(`${store}/${k}: version ${got.version}, expected one of ${allowed.join(", ") || "(absent)"}`);
  if (!got.value.equals(content(k, got.version, state.size))) failures.push(`${store}/${k}@${got.version}: value differs (${got.value.length} bytes)`);
}

/** Every key and version a store lists. */
async function listed({ read }, store) {
  const keys = new Map();
  let token;
  for (let page = 0; page < 100_000; page++) {
    const list = decodeList((await read("/vss/listKeyVersions", listKeyVersionsRequest(store, { pageToken: token }))).body);
    for (const { key: k, version } of list.keys) keys.set(k, version);
    token = list.nextPageToken;
    if (!token) return keys;
  }
  throw new Error(`${store}: the listing never ended`);
}

/** The store's change feed walked from revision 0: the last change of each key, and the final revision. */
async function feed({ read }, store) {
  const last = new Map();
  let since = 0;
  for (let page = 0; page < 100_000; page++) {
    const answer = decodeChanges((await read("/vss/listChanges", listChangesRequest(store, since))).body);
    if (answer.reset) throw new Error(`${store}: the feed answered reset from revision ${since}`);
    for (const change of answer.changes) last.set(change.key, change);
    since = answer.revision;
    if (!answer.hasMore) return { last, revision: since };
  }
  throw new Error(`${store}: the feed never ended`);
}

/**
 * The feed against the data: walking it from 0 gives exactly the keys and versions the store lists (so every
 * acknowledged write, which the checks above found present, is in it), and for the multi-item stores, whose only
 * writes are the puts counted there, the revision is the number of applied puts and each put's keys carry its own.
 */
async function verifyFeed(run) {
  const { multis, check, MULTI_WRITERS, MULTI_ITEMS } = run;
  const failures = [];
  for (const store of ["singles", "bigs", ...Array.from({ length: MULTI_WRITERS }, (_, id) => `multi-${id}`)]) {
    const [keys, { last, revision }] = [await listed(run, store), await feed(run, store)];
    for (const [k, version] of keys) {
      const change = last.get(k);
      if (!change || change.deleted || change.version !== version) failures.push(`${store}/${k}@${version}: the feed has ${change ? `${change.deleted ? "a deletion" : `version ${change.version}`}` : "nothing"}`);
    }
    for (const [k, change] of last) if (!change.deleted && !keys.has(k)) failures.push(`${store}/${k}: in the feed at revision ${change.revision}, not in the store`);
    if (!store.startsWith("multi-")) continue;
    const applied = multis.filter((r) => r.store === store && r.applied);
    if (revision !== applied.length) failures.push(`${store}: revision ${revision}, but ${applied.length} puts applied`);
    applied.forEach((record, i) => {
      for (let j = 0; j < MULTI_ITEMS; j++) {
        const change = last.get(`m-${record.n}-${j}`);
        if (change?.revision !== i + 1) failures.push(`${store}/m-${record.n}-${j}: revision ${change?.revision}, expected ${i + 1}`);
      }
    });
  }
  check("the change feed walked from 0 matches every store exactly; revisions count applied writes only", failures);
}

/**
 * Every check of what survived the kills. `run`: { read, content, singles, bigs, multis, check, MULTI_WRITERS,
 * MULTI_ITEMS } — the writers' records, how to read the server, and where results go.
 */
export async function verify(run) {
  const { read, content, singles, bigs, multis, check, MULTI_WRITERS, MULTI_ITEMS } = run;
  const singleFailures = [];
  for (const [k, state] of singles) await verifyKey(run, "singles", k, state, singleFailures);
  check(`${singles.size} single-item keys: every acknowledged write present with its exact value and version`, singleFailures);

  const bigFailures = [];
  for (const [k, state] of bigs) await verifyKey(run, "bigs", k, state, bigFailures);
  check(`${bigs.size} values of 2–6 MiB: every acknowledged one present and exact`, bigFailures);

  const multiFailures = [];
  for (let id = 0; id < MULTI_WRITERS; id++) {
    const store = `multi-${id}`;
    const present = new Map();
    let token;
    for (let page = 0; page < 100_000; page++) {
      const list = decodeList((await read("/vss/listKeyVersions", listKeyVersionsRequest(store, { pageToken: token }))).body);
      for (const { key: k } of list.keys) {
        const n = Number(/^m-(\d+)-\d+$/.exec(k)?.[1]);
        present.set(n, (present.get(n) ?? 0) + 1);
      }
      token = list.nextPageToken;
      if (!token) break;
    }
    const records = multis.filter((r) => r.store === store);
    for (const record of records) {
      const count = present.get(record.n) ?? 0;
      const expected = record.applied ? MULTI_ITEMS : 0;
      if (count !== expected) multiFailures.push(`${store} put #${record.n}: ${count} of ${MULTI_ITEMS} items visible, expected ${expected}`);
    }
    const globalVersion = decodeGetObject((await read("/vss/getObject", getObjectRequest(store, "global_version"))).body).version;
    const applied = records.filter((r) => r.applied).length;
    if (globalVersion !== applied) multiFailures.push(`${store}: global version ${globalVersion}, but ${applied} puts applied`);
    for (const record of records.filter((r) => r.applied)) {
      for (let j = 0; j < MULTI_ITEMS; j++) {
        const answer = await read("/vss/getObject", getObjectRequest(store, `m-${record.n}-${j}`));
        const got = answer.status === 200 ? decodeGetObject(answer.body) : null;
        if (!got || got.version !== 1 || !got.value.equals(content(`${store}/m-${record.n}-${j}`, 1, 200))) {
          multiFailures.push(`${store}/m-${record.n}-${j}: ${got ? `version ${got.version} or value differs` : `answered ${answer.status}`}`);
        }
      }
    }
  }
  check(`${multis.length} multi-item puts with global_version: all or nothing, global version = puts applied`, multiFailures);
  await verifyFeed(run);
}
