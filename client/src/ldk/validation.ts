/** LDK's KVStore rules: namespaces and keys use this alphabet and at most 120 characters. */
export const KVSTORE_ALPHABET = /^[A-Za-z0-9_-]*$/;
export const KVSTORE_MAX_LENGTH = 120;

/** Thrown for a namespace or key that an ldk-node KVStore would refuse. */
export class InvalidNamespaceError extends Error {
  override readonly name = "InvalidNamespaceError";
}

function checkPart(what: string, value: string): void {
  if (value.length > KVSTORE_MAX_LENGTH) throw new InvalidNamespaceError(`${what} longer than ${KVSTORE_MAX_LENGTH} characters`);
  if (!KVSTORE_ALPHABET.test(value)) throw new InvalidNamespaceError(`${what} has characters outside [A-Za-z0-9_-]: ${value}`);
}

/**
 * The same checks as LDK's `check_namespace_key_validity`: valid characters and lengths, a secondary namespace
 * only under a primary one, and a non-empty key when one is given (`key` undefined for list).
 */
export function checkNamespaceKey(primary: string, secondary: string, key?: string): void {
  checkPart("primary namespace", primary);
  checkPart("secondary namespace", secondary);
  if (primary === "" && secondary !== "") throw new InvalidNamespaceError("a secondary namespace needs a primary namespace");
  if (key !== undefined) {
    if (key === "") throw new InvalidNamespaceError("the key is empty");
    checkPart("key", key);
  }
}
