/** How a k1 lookup failed: never issued (or long purged), already used, or past its expiry. */
export type ChallengeError = "unknown" | "used" | "expired";

/** How long a used or expired challenge is kept after its expiry, so that a late replay reads "used"/"expired". */
export const CHALLENGE_RETAIN_MS = 60 * 60 * 1000;

/** Every SQL statement of the challenge store. Synchronous: callers compose them inside transactionSync. */
export class ChallengeSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Records a fresh challenge; false when that k1 already exists (a random collision, or a replayed insert). */
  insert(k1: string, expiresAt: number): boolean {
    return this.#sql.exec("INSERT INTO challenges (k1, expires_at) VALUES (?, ?) ON CONFLICT (k1) DO NOTHING RETURNING k1", k1, expiresAt).toArray().length === 1;
  }

  /** Marks an unused, unexpired challenge as used; otherwise says why it cannot be. */
  consume(k1: string, now: number): ChallengeError | null {
    const taken = this.#sql.exec("UPDATE challenges SET used = 1 WHERE k1 = ? AND used = 0 AND expires_at > ? RETURNING k1", k1, now).toArray();
    if (taken.length === 1) return null;
    const row = this.#sql.exec<{ used: number }>("SELECT used FROM challenges WHERE k1 = ?", k1).toArray()[0];
    if (!row) return "unknown";
    return row.used === 1 ? "used" : "expired";
  }

  /** Drops challenges whose expiry is older than `before`. */
  purge(before: number): void {
    this.#sql.exec("DELETE FROM challenges WHERE expires_at < ?", before);
  }
}
