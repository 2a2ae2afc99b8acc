/** Lower-case hex of bytes, through a table: a head's digest is rendered on every answer. */
const TABLE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += TABLE[byte];
  return out;
}
