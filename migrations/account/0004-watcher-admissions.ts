/**
 * 0004: watchers the account admitted whose store has not yet accepted or refused them (src/account/vss-account.ts,
 * admitWatcher). They count against the identity's limit until their store reports, so that a recount at the
 * limit — which asks the stores, where they are not open yet — cannot forget them; one whose store never reports
 * (the request died on the way) stops counting after a minute.
 */
export default {
  id: 4,
  name: "watcher-admissions",
  sql: `
CREATE TABLE watcher_admissions (id INTEGER PRIMARY KEY, store_id TEXT NOT NULL, admitted_at INTEGER NOT NULL);
CREATE INDEX watcher_admissions_by_store ON watcher_admissions (store_id, id);
`,
};
