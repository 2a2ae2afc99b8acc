import { configureTextEncoding } from "@bufbuild/protobuf/wire";

/**
 * protobuf-es decodes strings with a default `TextDecoder`, which drops a leading U+FEFF (byte-order mark): the
 * keys "\uFEFFk" and "k" would decode alike and alias. Keys are byte-exact (CONTRACT.md §3), so the Worker's
 * decoders keep the mark; strict decoding (invalid UTF-8 → error) stays as protobuf-es does it. Runs on import.
 */
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
