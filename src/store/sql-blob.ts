/** SQLite bindings take an ArrayBuffer for a BLOB; copy only when the view does not span its whole buffer. */
export function asBlob(bytes: Uint8Array | null): ArrayBuffer | null {
  if (bytes === null) return null;
  const { buffer, byteOffset, byteLength } = bytes;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  return bytes.slice().buffer;
}
