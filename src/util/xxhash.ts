/**
 * xxHash (XXH32, XXH64 and XXH3's 64-bit variant with a seed), the non-cryptographic hashes of
 * HAProxy's `xxh32`, `xxh64` and `xxh3` converters, as specified by xxHash 0.8 (the version
 * HAProxy 2.6 bundles): same outputs bit for bit, computed on the portable ("scalar") path.
 *
 * XXH32 works on 32-bit lanes with Math.imul. XXH64 and XXH3 need 64-bit (and XXH3 128-bit)
 * products, done with BigInt: these converters run once per sample, not per byte of traffic,
 * and exactness matters more than speed here.
 */

const P32_1 = 0x9e3779b1;
const P32_2 = 0x85ebca77;
const P32_3 = 0xc2b2ae3d;
const P32_4 = 0x27d4eb2f;
const P32_5 = 0x165667b1;

const P64_1 = 0x9e3779b185ebca87n;
const P64_2 = 0xc2b2ae3d27d4eb4fn;
const P64_3 = 0x165667b19e3779f9n;
const P64_4 = 0x85ebca77c2b2ae63n;
const P64_5 = 0x27d4eb2f165667c5n;

const MASK64 = 0xffffffffffffffffn;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function read32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

function read64(b: Uint8Array, i: number): bigint {
  return BigInt(read32(b, i)) | (BigInt(read32(b, i + 4)) << 32n);
}

function round32(acc: number, input: number): number {
  return Math.imul(rotl32((acc + Math.imul(input, P32_2)) | 0, 13), P32_1);
}

/** XXH32 of `bytes[0, length)` with `seed` (an unsigned 32-bit result). */
export function xxh32(bytes: Uint8Array, length: number, seed: number): number {
  let i = 0;
  let h: number;
  if (length >= 16) {
    let v1 = (seed + P32_1 + P32_2) | 0;
    let v2 = (seed + P32_2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P32_1) | 0;
    for (; i + 16 <= length; i += 16) {
      v1 = round32(v1, read32(bytes, i));
      v2 = round32(v2, read32(bytes, i + 4));
      v3 = round32(v3, read32(bytes, i + 8));
      v4 = round32(v4, read32(bytes, i + 12));
    }
    h = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) | 0;
  } else {
    h = (seed + P32_5) | 0;
  }
  h = (h + length) | 0;
  for (; i + 4 <= length; i += 4) h = Math.imul(rotl32((h + Math.imul(read32(bytes, i), P32_3)) | 0, 17), P32_4);
  for (; i < length; i++) h = Math.imul(rotl32((h + Math.imul(bytes[i]!, P32_5)) | 0, 11), P32_1);
  h ^= h >>> 15;
  h = Math.imul(h, P32_2);
  h ^= h >>> 13;
  h = Math.imul(h, P32_3);
  h ^= h >>> 16;
  return h >>> 0;
}

function mul64(a: bigint, b: bigint): bigint {
  return (a * b) & MASK64;
}

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK64;
}

function round64(acc: bigint, input: bigint): bigint {
  return mul64(rotl64((acc + mul64(input, P64_2)) & MASK64, 31n), P64_1);
}

function mergeRound64(acc: bigint, val: bigint): bigint {
  return (mul64(acc ^ round64(0n, val), P64_1) + P64_4) & MASK64;
}

function avalanche64(h: bigint): bigint {
  h ^= h >> 33n;
  h = mul64(h, P64_2);
  h ^= h >> 29n;
  h = mul64(h, P64_3);
  return h ^ (h >> 32n);
}

/** XXH64 of `bytes[0, length)` with `seed` (an unsigned 64-bit result). */
export function xxh64(bytes: Uint8Array, length: number, seed: bigint): bigint {
  const s = seed & MASK64;
  let i = 0;
  let h: bigint;
  if (length >= 32) {
    let v1 = (s + P64_1 + P64_2) & MASK64;
    let v2 = (s + P64_2) & MASK64;
    let v3 = s;
    let v4 = (s - P64_1) & MASK64;
    for (; i + 32 <= length; i += 32) {
      v1 = round64(v1, read64(bytes, i));
      v2 = round64(v2, read64(bytes, i + 8));
      v3 = round64(v3, read64(bytes, i + 16));
      v4 = round64(v4, read64(bytes, i + 24));
    }
    h = (rotl64(v1, 1n) + rotl64(v2, 7n) + rotl64(v3, 12n) + rotl64(v4, 18n)) & MASK64;
    h = mergeRound64(h, v1);
    h = mergeRound64(h, v2);
    h = mergeRound64(h, v3);
    h = mergeRound64(h, v4);
  } else {
    h = (s + P64_5) & MASK64;
  }
  h = (h + BigInt(length)) & MASK64;
  for (; i + 8 <= length; i += 8) {
    h ^= round64(0n, read64(bytes, i));
    h = (mul64(rotl64(h, 27n), P64_1) + P64_4) & MASK64;
  }
  if (i + 4 <= length) {
    h ^= mul64(BigInt(read32(bytes, i)), P64_1);
    h = (mul64(rotl64(h, 23n), P64_2) + P64_3) & MASK64;
    i += 4;
  }
  for (; i < length; i++) {
    h ^= mul64(BigInt(bytes[i]!), P64_5);
    h = mul64(rotl64(h, 11n), P64_1);
  }
  return avalanche64(h);
}

// ---- XXH3 (64-bit) ------------------------------------------------------------------------------

/** XXH3's default secret (XXH3_kSecret), 192 bytes. */
const K_SECRET = new Uint8Array([
  0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
  0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
  0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
  0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
  0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
  0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
  0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
  0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
  0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
  0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
  0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
  0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
]);

const SECRET_SIZE_MIN = 136;
const MIDSIZE_MAX = 240;
const STRIPE_LEN = 64;
const SECRET_CONSUME_RATE = 8;
const MIDSIZE_STARTOFFSET = 3;
const MIDSIZE_LASTOFFSET = 17;
const SECRET_LASTACC_START = 7;
const SECRET_MERGEACCS_START = 11;

function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function swap64(x: bigint): bigint {
  return (BigInt(swap32(Number(x & 0xffffffffn))) << 32n) | BigInt(swap32(Number(x >> 32n)));
}

function mul128Fold64(a: bigint, b: bigint): bigint {
  const product = a * b;
  return (product & MASK64) ^ (product >> 64n);
}

function xxh3Avalanche(h: bigint): bigint {
  h ^= h >> 37n;
  h = mul64(h, 0x165667919e3779f9n);
  return h ^ (h >> 32n);
}

function rrmxmx(h: bigint, length: number): bigint {
  h ^= rotl64(h, 49n) ^ rotl64(h, 24n);
  h = mul64(h, 0x9fb21c651e98df25n);
  h ^= ((h >> 35n) + BigInt(length)) & MASK64;
  h = mul64(h, 0x9fb21c651e98df25n);
  return h ^ (h >> 28n);
}

function len0to16(b: Uint8Array, length: number, secret: Uint8Array, seed: bigint): bigint {
  if (length > 8) {
    const bitflip1 = ((read64(secret, 24) ^ read64(secret, 32)) + seed) & MASK64;
    const bitflip2 = ((read64(secret, 40) ^ read64(secret, 48)) - seed) & MASK64;
    const lo = read64(b, 0) ^ bitflip1;
    const hi = read64(b, length - 8) ^ bitflip2;
    return xxh3Avalanche((BigInt(length) + swap64(lo) + hi + mul128Fold64(lo, hi)) & MASK64);
  }
  if (length >= 4) {
    const s = seed ^ (BigInt(swap32(Number(seed & 0xffffffffn))) << 32n);
    const input1 = BigInt(read32(b, 0));
    const input2 = BigInt(read32(b, length - 4));
    const bitflip = ((read64(secret, 8) ^ read64(secret, 16)) - s) & MASK64;
    return rrmxmx((input2 + (input1 << 32n)) ^ bitflip, length);
  }
  if (length > 0) {
    const combined = ((b[0]! << 16) | (b[length >> 1]! << 24) | b[length - 1]! | (length << 8)) >>> 0;
    const bitflip = (BigInt((read32(secret, 0) ^ read32(secret, 4)) >>> 0) + seed) & MASK64;
    return avalanche64(BigInt(combined) ^ bitflip);
  }
  return avalanche64(seed ^ read64(secret, 56) ^ read64(secret, 64));
}

function mix16B(b: Uint8Array, at: number, secret: Uint8Array, secretAt: number, seed: bigint): bigint {
  return mul128Fold64(read64(b, at) ^ ((read64(secret, secretAt) + seed) & MASK64), read64(b, at + 8) ^ ((read64(secret, secretAt + 8) - seed) & MASK64));
}

function len17to128(b: Uint8Array, length: number, secret: Uint8Array, seed: bigint): bigint {
  let acc = mul64(BigInt(length), P64_1);
  if (length > 32) {
    if (length > 64) {
      if (length > 96) {
        acc += mix16B(b, 48, secret, 96, seed);
        acc += mix16B(b, length - 64, secret, 112, seed);
      }
      acc += mix16B(b, 32, secret, 64, seed);
      acc += mix16B(b, length - 48, secret, 80, seed);
    }
    acc += mix16B(b, 16, secret, 32, seed);
    acc += mix16B(b, length - 32, secret, 48, seed);
  }
  acc += mix16B(b, 0, secret, 0, seed);
  acc += mix16B(b, length - 16, secret, 16, seed);
  return xxh3Avalanche(acc & MASK64);
}

function len129to240(b: Uint8Array, length: number, secret: Uint8Array, seed: bigint): bigint {
  let acc = mul64(BigInt(length), P64_1);
  const rounds = length >> 4;
  for (let i = 0; i < 8; i++) acc += mix16B(b, 16 * i, secret, 16 * i, seed);
  acc = xxh3Avalanche(acc & MASK64);
  for (let i = 8; i < rounds; i++) acc += mix16B(b, 16 * i, secret, 16 * (i - 8) + MIDSIZE_STARTOFFSET, seed);
  acc += mix16B(b, length - 16, secret, SECRET_SIZE_MIN - MIDSIZE_LASTOFFSET, seed);
  return xxh3Avalanche(acc & MASK64);
}

function accumulate512(acc: bigint[], b: Uint8Array, at: number, secret: Uint8Array, secretAt: number): void {
  for (let i = 0; i < 8; i++) {
    const value = read64(b, at + 8 * i);
    const key = value ^ read64(secret, secretAt + 8 * i);
    acc[i ^ 1] = (acc[i ^ 1]! + value) & MASK64;
    acc[i] = (acc[i]! + (key & 0xffffffffn) * (key >> 32n)) & MASK64;
  }
}

function scrambleAcc(acc: bigint[], secret: Uint8Array, secretAt: number): void {
  for (let i = 0; i < 8; i++) {
    let a = acc[i]!;
    a ^= a >> 47n;
    a ^= read64(secret, secretAt + 8 * i);
    acc[i] = mul64(a, BigInt(P32_1));
  }
}

function hashLong(b: Uint8Array, length: number, secret: Uint8Array): bigint {
  const acc = [BigInt(P32_3), P64_1, P64_2, P64_3, P64_4, BigInt(P32_2), P64_5, BigInt(P32_1)];
  const stripesPerBlock = (secret.length - STRIPE_LEN) / SECRET_CONSUME_RATE;
  const blockLen = STRIPE_LEN * stripesPerBlock;
  const blocks = Math.floor((length - 1) / blockLen);
  for (let n = 0; n < blocks; n++) {
    for (let s = 0; s < stripesPerBlock; s++) accumulate512(acc, b, n * blockLen + s * STRIPE_LEN, secret, s * SECRET_CONSUME_RATE);
    scrambleAcc(acc, secret, secret.length - STRIPE_LEN);
  }
  const stripes = Math.floor((length - 1 - blockLen * blocks) / STRIPE_LEN);
  for (let s = 0; s < stripes; s++) accumulate512(acc, b, blocks * blockLen + s * STRIPE_LEN, secret, s * SECRET_CONSUME_RATE);
  accumulate512(acc, b, length - STRIPE_LEN, secret, secret.length - STRIPE_LEN - SECRET_LASTACC_START);
  let result = mul64(BigInt(length), P64_1);
  for (let i = 0; i < 4; i++) {
    const at = SECRET_MERGEACCS_START + 16 * i;
    result += mul128Fold64(acc[2 * i]! ^ read64(secret, at), acc[2 * i + 1]! ^ read64(secret, at + 8));
  }
  return xxh3Avalanche(result & MASK64);
}

/** XXH3_initCustomSecret: the default secret with the seed added to and subtracted from its halves. */
function customSecret(seed: bigint): Uint8Array {
  const out = new Uint8Array(K_SECRET.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < K_SECRET.length; i += 16) {
    view.setBigUint64(i, (read64(K_SECRET, i) + seed) & MASK64, true);
    view.setBigUint64(i + 8, (read64(K_SECRET, i + 8) - seed) & MASK64, true);
  }
  return out;
}

/** XXH3_64bits_withSeed of `bytes[0, length)` (an unsigned 64-bit result). */
export function xxh3(bytes: Uint8Array, length: number, seed: bigint): bigint {
  const s = seed & MASK64;
  if (length <= 16) return len0to16(bytes, length, K_SECRET, s);
  if (length <= 128) return len17to128(bytes, length, K_SECRET, s);
  if (length <= MIDSIZE_MAX) return len129to240(bytes, length, K_SECRET, s);
  return hashLong(bytes, length, s === 0n ? K_SECRET : customSecret(s));
}
