/**
 * The key hash functions of `hash-type` (HAProxy's src/hash.c and gen_hash() in backend.c) and
 * the `avalanche` modifier (full_hash). Each hashes bytes in place, buf[start, end), and returns
 * HAProxy's 32-bit value: the same bits HAProxy computes, so a key lands on the same server
 * index as it would behind HAProxy with the same servers and weights. The value is returned as
 * a signed int32 (`>>> 0` gives HAProxy's unsigned number): V8 keeps int32 results in small
 * integers, while unsigned values >= 2^31 would be boxed in a heap number on every call.
 *
 * JavaScript bitwise operators work on int32, which is exactly C's `unsigned int` arithmetic
 * modulo 2^32 as long as every intermediate sum is folded with `| 0` and right shifts of
 * unsigned values use `>>>`.
 */
import type { HashFunctionName } from '../config/model.ts';

/** Hashes buf[start, end) to 32 bits, as a signed int32 (`>>> 0` for HAProxy's unsigned value). */
export type HashFunction = (buf: Uint8Array, start: number, end: number) => number;

/** sdbm: hash(i) = hash(i - 1) * 65599 + c. HAProxy's default. */
export function hashSdbm(buf: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (buf[i]! + (h << 6) + (h << 16) - h) | 0;
  return h;
}

/** djb2: hash(i) = hash(i - 1) * 33 + c, starting at 5381. */
export function hashDjb2(buf: Uint8Array, start: number, end: number): number {
  let h = 5381;
  for (let i = start; i < end; i++) h = ((h << 5) + h + buf[i]!) | 0;
  return h;
}

/** wt6: Willy Tarreau's two-lane hash with data-dependent rotations. */
export function hashWt6(buf: Uint8Array, start: number, end: number): number {
  let h0 = 0xa53c965a | 0;
  let h1 = 0x5ca6953a | 0;
  let step0 = 6;
  let step1 = 18;
  for (let i = start; i < end; i++) {
    let t = buf[i]!;
    h0 = ~(h0 ^ t);
    h1 = ~((h1 + t) | 0);
    // A shift by 32 is a shift by 0 in JS, as on the x86 HAProxy targets (C leaves it undefined).
    t = (h1 << step0) | (h1 >>> (32 - step0));
    h1 = (h0 << step1) | (h0 >>> (32 - step1));
    h0 = t;
    t = ((h0 >>> 16) ^ h1) & 0xffff;
    step0 = t & 0x1f;
    step1 = t >>> 11;
  }
  return h0 ^ h1;
}

const CRC32_TABLE = ((): Int32Array => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, reflected), table-driven; equal to HAProxy's bitwise loop. */
export function hashCrc32(buf: Uint8Array, start: number, end: number): number {
  let h = -1;
  for (let i = start; i < end; i++) h = (h >>> 8) ^ CRC32_TABLE[(h ^ buf[i]!) & 0xff]!;
  return ~h;
}

/**
 * `none`: the key is already a hash (e.g. computed by a converter): its leading decimal
 * integer (optionally negative), truncated to 32 bits as HAProxy's read_int64() + cast does.
 */
export function hashNone(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = i < end && buf[i] === 0x2d; /* - */
  if (negative) i++;
  let h = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) break;
    h = (Math.imul(h, 10) + d) | 0;
  }
  return negative ? -h | 0 : h;
}

/**
 * Bob Jenkins' full-avalanche integer hash, then a multiply by a large prime (HAProxy's
 * full_hash): spreads keys that differ in a few bits over the whole 32-bit space. Used by
 * `avalanche` and to place consistent-hashing ring points.
 */
export function fullHash(x: number): number {
  let a = x | 0;
  a = (a + 0x7ed55d16 + (a << 12)) | 0;
  a = (a ^ 0xc761c23c) ^ (a >>> 19);
  a = (a + 0x165667b1 + (a << 5)) | 0;
  a = ((a + 0xd3a2646c) | 0) ^ (a << 9);
  a = (a + 0xfd7046c5 + (a << 3)) | 0;
  a = (a ^ 0xb55a4f09) ^ (a >>> 16);
  return Math.imul(a, 3221225473 | 0);
}

const FUNCTIONS: Record<HashFunctionName, HashFunction> = {
  sdbm: hashSdbm,
  djb2: hashDjb2,
  wt6: hashWt6,
  crc32: hashCrc32,
  none: hashNone,
};

/** The function `hash-type ... FUNCTION` names. */
export function hashFunction(name: HashFunctionName): HashFunction {
  return FUNCTIONS[name];
}
