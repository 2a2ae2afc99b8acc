/** Building blocks of the fuzz test: a seeded PRNG and mutations of protobuf bodies and sigs headers. */

/** mulberry32: a small seeded PRNG, so that a failing run reproduces from its seed. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

/** A protobuf base-128 varint (up to 2^53). */
export function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A length-delimited field with raw bytes as its payload. */
export function lenField(field: number, payload: Uint8Array): Uint8Array {
  return concat(varint((field << 3) | 2), varint(payload.byteLength), payload);
}

/** Byte sequences that are not UTF-8: stray continuation, overlong, surrogate, truncated, out of range. */
export const INVALID_UTF8 = [
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff, 0xfe],
  [0x6b, 0xc3, 0x28],
].map((b) => Uint8Array.from(b));

/** Mutations of a valid encoded message; the result may or may not still be a valid message. */
export function mutate(rng: Prng, valid: Uint8Array): { kind: string; body: Uint8Array } {
  const copy = valid.slice();
  switch (rng.int(9)) {
    case 0:
      return { kind: "random bytes", body: rng.bytes(rng.int(rng.next() < 0.9 ? 64 : 4096)) };
    case 1:
      return { kind: "truncated", body: copy.subarray(0, rng.int(Math.max(1, copy.byteLength))) };
    case 2: {
      for (let n = 1 + rng.int(4); n > 0 && copy.byteLength > 0; n--) copy[rng.int(copy.byteLength)] = rng.int(256);
      return { kind: "bytes changed", body: copy };
    }
    case 3: {
      const at = rng.int(copy.byteLength + 1);
      return { kind: "bytes inserted", body: concat(copy.subarray(0, at), rng.bytes(1 + rng.int(8)), copy.subarray(at)) };
    }
    case 4: {
      // The first byte is always a tag: give it every other wire type, including the deprecated groups and 6, 7.
      if (copy.byteLength > 0) copy[0] = ((copy[0] ?? 0) & ~7) | ((((copy[0] ?? 0) & 7) + 1 + rng.int(7)) % 8);
      return { kind: "wrong wire type", body: copy };
    }
    case 5: {
      const field = 1 + rng.int(5);
      const declared = rng.pick([2 ** 31, 2 ** 32 - 1, 2 ** 35, 2 ** 53 - 1, 1_000_000]);
      return { kind: "huge declared length", body: concat(copy, varint((field << 3) | 2), varint(declared), rng.bytes(rng.int(16))) };
    }
    case 6: {
      const bad = rng.pick(INVALID_UTF8);
      return { kind: "invalid UTF-8 string", body: concat(copy, lenField(rng.pick([1, 2]), bad)) };
    }
    case 7: {
      const number = rng.pick([0, 19000, 2 ** 29 - 1, 99, 7]);
      const wire = rng.int(8);
      return { kind: "odd field", body: concat(copy, varint(number * 8 + wire), rng.bytes(rng.int(12))) };
    }
    default:
      return { kind: "message repeated", body: concat(copy, copy) };
  }
}

const HEX = "0123456789abcdef";

/** A sigs header broken in one way that can never verify. */
export function breakHeader(rng: Prng, valid: string, stale: string, highS: string): { kind: string; header: string | null } {
  switch (rng.int(10)) {
    case 0:
      return { kind: "no header", header: null };
    case 1:
      return { kind: "empty", header: "" };
    case 2: {
      const at = rng.int(valid.length - 10); // inside the key or the signature
      const digit = HEX.indexOf(valid[at] ?? "0");
      return { kind: "hex digit changed", header: valid.slice(0, at) + HEX[(digit + 1 + rng.int(15)) % 16] + valid.slice(at + 1) };
    }
    case 3:
      return { kind: "truncated", header: valid.slice(0, rng.int(valid.length)) };
    case 4:
      return { kind: "timestamp out of window", header: stale };
    case 5:
      return { kind: "high-S signature", header: highS };
    case 6:
      return { kind: "bearer", header: rng.pick(["Bearer ", "Bearer a.b.c", "Bearer " + valid, "bearer " + valid]) };
    case 7:
      return { kind: "non-hex", header: valid.slice(0, 40) + "zz" + valid.slice(42) };
    case 8:
      return { kind: "control character", header: valid.slice(0, 66) + "\x7f" + valid.slice(67) };
    default:
      return { kind: "huge", header: valid + "9".repeat(1 + rng.int(8000)) };
  }
}
