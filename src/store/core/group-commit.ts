/**
 * Group commit: the writes that reach a store while it is busy are applied together, each in a transaction of its
 * own nested in one outer transaction, so that many wallet writes cost one commit (one sync of SQLite's log, the
 * dearest part of a write) instead of one each. A write refused by its own rules rolls back alone (its nested
 * transaction); every caller learns its own result only after the outer transaction has committed, and the output
 * gate holds every answer until the commit is durable — nothing is acknowledged earlier than it would be alone.
 */
export class GroupCommit {
  #queue: { work: () => unknown; settle: (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void }[] = [];
  #scheduled = false;

  constructor(readonly storage: DurableObjectStorage) {}

  /**
   * Runs `work` (synchronous, and itself a transactionSync) in the next group. The group starts once the events
   * already waiting for the store have been delivered — those that arrived during the previous commit join it.
   */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, settle: (outcome) => (outcome.ok ? resolve(outcome.value as T) : reject(outcome.error)) });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setTimeout(() => this.#flush(), 0);
    });
  }

  /** Runs the waiting group now, before something that must follow it (an erase). */
  flushNow(): void {
    if (this.#queue.length > 0) this.#flush();
  }

  #flush(): void {
    if (this.#queue.length === 0) return;
    const group = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.storage.transactionSync(() => {
        for (const entry of group) {
          try {
            outcomes.push({ ok: true, value: entry.work() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const entry of group) entry.settle({ ok: false, error });
      return;
    }
    group.forEach((entry, i) => entry.settle(outcomes[i] ?? { ok: false, error: new Error("no outcome") }));
  }
}
