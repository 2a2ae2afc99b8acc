import { configureTextEncoding } from "@bufbuild/protobuf/wire";

let configured = false;

/**
 * Makes protobuf-es keep a leading U+FEFF when it decodes strings. Its default `TextDecoder` drops the mark, so
 * the keys "\uFEFFk" and "k" would read back alike; VSS keys are byte-exact. Idempotent; applies to every
 * protobuf-es user in this JavaScript realm (a change that only makes decoding exact).
 */
export function keepByteOrderMarks(): void {
  if (configured) return;
  configured = true;
  const encoder = new TextEncoder();
  const lenient = new TextDecoder("utf-8", { ignoreBOM: true, fatal: false });
  const strict = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });
  configureTextEncoding({
    encodeUtf8: (text) => encoder.encode(text) as Uint8Array<ArrayBuffer>,
    decodeUtf8: (bytes, strictly) => (strictly ? strict : lenient).decode(bytes),
    checkUtf8: (text) => {
      try {
        encodeURIComponent(text);
        return true;
      } catch {
        return false;
      }
    },
  });
}
