import type { KeyValue } from "../gen/vss_pb.js";
import type { ChainState } from "./chain.js";
import { toHex, valueSha256 } from "./digest.js";
import { ValueAuditError } from "./errors.js";

/** How a value read compares with the verified chain: as recorded, not as recorded, or not known to the chain. */
export type AuditOutcome = { result: "match" } | { result: "unknown" } | { result: "mismatch"; detail: string };

/**
 * HISTORY.md §6: the SHA-256 of a value read at head revision `revision` must equal the `value_sha256` of that key's
 * last change at or before `revision` in a verified chain (and a key the chain has deleted must not be read).
 * `value` undefined: the key was answered missing. "unknown" when the chain does not cover the key's last change.
 */
export function auditValue(chain: ChainState, key: string, value: Pick<KeyValue, "version" | "value"> | undefined, revision: bigint = chain.revision): AuditOutcome {
  const expected = chain.expect(key, revision);
  if (!expected.known) return { result: "unknown" };
  if (!expected.exists) return value ? { result: "mismatch", detail: `read, but the chain has no such key after revision ${expected.revision}` } : { result: "match" };
  if (!value) return { result: "mismatch", detail: `answered missing, but the chain wrote it at revision ${expected.revision}` };
  if (value.version !== expected.version) return { result: "mismatch", detail: `version ${value.version}, but the chain wrote version ${expected.version} at revision ${expected.revision}` };
  const actual = toHex(valueSha256(value.value));
  if (actual !== expected.valueSha256) return { result: "mismatch", detail: `its SHA-256 ${actual.slice(0, 16)}… is not the ${expected.valueSha256.slice(0, 16)}… the chain recorded at revision ${expected.revision}` };
  return { result: "match" };
}

/** Audits values read (and keys answered missing) at `revision`; throws ValueAuditError on the first mismatch. */
export function auditAnswer(chain: ChainState, storeId: string, revision: bigint, values: readonly KeyValue[], missing: readonly string[]): void {
  const outcomes: [string, AuditOutcome][] = [
    ...values.map((kv): [string, AuditOutcome] => [kv.key, auditValue(chain, kv.key, kv, revision)]),
    ...missing.map((key): [string, AuditOutcome] => [key, auditValue(chain, key, undefined, revision)]),
  ];
  for (const [key, outcome] of outcomes) if (outcome.result === "mismatch") throw new ValueAuditError(storeId, key, revision, outcome.detail);
}
