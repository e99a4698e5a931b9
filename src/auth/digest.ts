/**
 * The hash functions crypt(3)'s formats are built on (MD5, SHA-256, SHA-512), written in
 * TypeScript rather than reached through the runtime: SHA-crypt hashes thousands of short
 * inputs per verification, and one native call per input cost more than the compression itself
 * on every runtime (measured: Node's createHash ~2.4 µs per 100-byte SHA-512, this ~1.4 µs;
 * Deno ~3.0 µs vs ~2.1 µs). Each hasher owns fixed buffers and is reused: hashing allocates
 * nothing.
 */

/** An incremental hash: update() any number of times, then finish(), which also resets it. */
export interface Digest {
  /** Digest length in bytes. */
  readonly size: number;
  update(data: Uint8Array, start?: number, end?: number): void;
  /** Writes the digest into out[0..size) and starts over. */
  finish(out: Uint8Array): void;
}

/** The block buffering shared by the three functions (all have 64- or 128-byte blocks). */
abstract class BlockDigest implements Digest {
  abstract readonly size: number;
  protected readonly block: Uint8Array;
  protected filled = 0;
  /** Bytes hashed so far (crypt inputs are small: a double is exact far beyond them). */
  protected total = 0;

  constructor(blockSize: number) {
    this.block = new Uint8Array(blockSize);
  }

  protected abstract compress(data: Uint8Array, offset: number): void;
  protected abstract reset(): void;
  abstract finish(out: Uint8Array): void;

  update(data: Uint8Array, start = 0, end = data.length): void {
    const size = this.block.length;
    const block = this.block;
    this.total += end - start;
    let filled = this.filled;
    let i = start;
    // crypt's inputs are a few dozen bytes: a byte loop beats subarray() + set() here.
    while (i < end) {
      if (filled === 0 && end - i >= size) {
        this.compress(data, i);
        i += size;
        continue;
      }
      block[filled++] = data[i++]!;
      if (filled === size) {
        this.compress(block, 0);
        filled = 0;
      }
    }
    this.filled = filled;
  }

  /** Appends the 0x80 byte and zeros up to the length field (big- or little-endian, 64 bits). */
  protected pad(lengthBytes: number, bigEndian: boolean): void {
    const size = this.block.length;
    const block = this.block;
    const bits = this.total * 8;
    block[this.filled++] = 0x80;
    if (this.filled > size - lengthBytes) {
      block.fill(0, this.filled);
      this.compress(block, 0);
      this.filled = 0;
    }
    block.fill(0, this.filled);
    const hi = Math.floor(bits / 0x100000000);
    const lo = bits >>> 0;
    if (bigEndian) {
      writeBE(block, size - 8, hi);
      writeBE(block, size - 4, lo);
    } else {
      writeLE(block, size - 8, lo);
      writeLE(block, size - 4, hi);
    }
    this.compress(block, 0);
    this.filled = 0;
    this.total = 0;
  }
}

function writeBE(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = v >>> 16;
  out[at + 2] = v >>> 8;
  out[at + 3] = v;
}

function writeLE(out: Uint8Array, at: number, v: number): void {
  out[at] = v;
  out[at + 1] = v >>> 8;
  out[at + 2] = v >>> 16;
  out[at + 3] = v >>> 24;
}

function readBE(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

function readLE(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

// ---- SHA-256 (FIPS 180-4) ----

const K256 = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV256 = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

export class Sha256 extends BlockDigest {
  readonly size = 32;
  readonly #h = Int32Array.from(IV256);
  readonly #w = new Int32Array(64);

  constructor() {
    super(64);
  }

  protected reset(): void {
    this.#h.set(IV256);
  }

  protected compress(data: Uint8Array, offset: number): void {
    const w = this.#w;
    for (let i = 0; i < 16; i++) w[i] = readBE(data, offset + 4 * i);
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    const h = this.#h;
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + s1 + ((e & f) ^ (~e & g)) + K256[i]! + w[i]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + hh;
  }

  finish(out: Uint8Array): void {
    this.pad(8, true);
    for (let i = 0; i < 8; i++) writeBE(out, 4 * i, this.#h[i]!);
    this.reset();
  }
}

// ---- SHA-512 (FIPS 180-4), 64-bit words as (high, low) pairs of 32-bit integers ----

const K512 = Int32Array.from([
  0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd, 0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc, 0x3956c25b, 0xf348b538, 0x59f111f1,
  0xb605d019, 0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118, 0xd807aa98, 0xa3030242, 0x12835b01, 0x45706fbe, 0x243185be, 0x4ee4b28c,
  0x550c7dc3, 0xd5ffb4e2, 0x72be5d74, 0xf27b896f, 0x80deb1fe, 0x3b1696b1, 0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694, 0xe49b69c1,
  0x9ef14ad2, 0xefbe4786, 0x384f25e3, 0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65, 0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483,
  0x5cb0a9dc, 0xbd41fbd4, 0x76f988da, 0x831153b5, 0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210, 0xb00327c8, 0x98fb213f, 0xbf597fc7,
  0xbeef0ee4, 0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725, 0x06ca6351, 0xe003826f, 0x14292967, 0x0a0e6e70, 0x27b70a85, 0x46d22ffc,
  0x2e1b2138, 0x5c26c926, 0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df, 0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8, 0x81c2c92e,
  0x47edaee6, 0x92722c85, 0x1482353b, 0xa2bfe8a1, 0x4cf10364, 0xa81a664b, 0xbc423001, 0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30,
  0xd192e819, 0xd6ef5218, 0xd6990624, 0x5565a910, 0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8, 0x19a4c116, 0xb8d2d0c8, 0x1e376c08,
  0x5141ab53, 0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8, 0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb, 0x5b9cca4f, 0x7763e373,
  0x682e6ff3, 0xd6b2b8a3, 0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60, 0x84c87814, 0xa1f0ab72, 0x8cc70208, 0x1a6439ec, 0x90befffa,
  0x23631e28, 0xa4506ceb, 0xde82bde9, 0xbef9a3f7, 0xb2c67915, 0xc67178f2, 0xe372532b, 0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207,
  0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f, 0xee6ed178, 0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6, 0x113f9804, 0xbef90dae, 0x1b710b35,
  0x131c471b, 0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493, 0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c, 0x4cc5d4be, 0xcb3e42b6,
  0x597f299c, 0xfc657e2a, 0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817,
]);
const IV512 = Int32Array.from([
  0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1, 0x510e527f, 0xade682d1, 0x9b05688c,
  0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
]);
const TWO32 = 0x100000000;

export class Sha512 extends BlockDigest {
  readonly size = 64;
  /** h0 high, h0 low, h1 high, ... */
  readonly #h = Int32Array.from(IV512);
  readonly #wh = new Int32Array(80);
  readonly #wl = new Int32Array(80);

  constructor() {
    super(128);
  }

  protected reset(): void {
    this.#h.set(IV512);
  }

  protected compress(data: Uint8Array, offset: number): void {
    const wh = this.#wh;
    const wl = this.#wl;
    for (let i = 0; i < 16; i++) {
      wh[i] = readBE(data, offset + 8 * i);
      wl[i] = readBE(data, offset + 8 * i + 4);
    }
    for (let i = 16; i < 80; i++) {
      let xh = wh[i - 15]!;
      let xl = wl[i - 15]!;
      // sigma0 = rotr 1 ^ rotr 8 ^ shr 7
      const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
      const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
      xh = wh[i - 2]!;
      xl = wl[i - 2]!;
      // sigma1 = rotr 19 ^ rotr 61 ^ shr 6
      const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
      const s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
      const lo = (s0l >>> 0) + (s1l >>> 0) + (wl[i - 7]! >>> 0) + (wl[i - 16]! >>> 0);
      wh[i] = s0h + s1h + wh[i - 7]! + wh[i - 16]! + ((lo / TWO32) | 0);
      wl[i] = lo;
    }
    const h = this.#h;
    let ah = h[0]!, al = h[1]!, bh = h[2]!, bl = h[3]!, ch = h[4]!, cl = h[5]!, dh = h[6]!, dl = h[7]!;
    let eh = h[8]!, el = h[9]!, fh = h[10]!, fl = h[11]!, gh = h[12]!, gl = h[13]!, hh = h[14]!, hl = h[15]!;
    for (let i = 0; i < 80; i++) {
      // Sigma1(e) = rotr 14 ^ rotr 18 ^ rotr 41
      const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
      const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
      const chh = (eh & fh) ^ (~eh & gh);
      const chl = (el & fl) ^ (~el & gl);
      const t1l = (hl >>> 0) + (S1l >>> 0) + (chl >>> 0) + (K512[2 * i + 1]! >>> 0) + (wl[i]! >>> 0);
      const t1h = (hh + S1h + chh + K512[2 * i]! + wh[i]! + ((t1l / TWO32) | 0)) | 0;
      // Sigma0(a) = rotr 28 ^ rotr 34 ^ rotr 39
      const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
      const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
      const mjh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
      const mjl = (al & bl) ^ (al & cl) ^ (bl & cl);
      const t2l = (S0l >>> 0) + (mjl >>> 0);
      const t2h = (S0h + mjh + ((t2l / TWO32) | 0)) | 0;
      hh = gh;
      hl = gl;
      gh = fh;
      gl = fl;
      fh = eh;
      fl = el;
      let sum = (dl >>> 0) + (t1l >>> 0);
      eh = (dh + t1h + ((sum / TWO32) | 0)) | 0;
      el = sum | 0;
      dh = ch;
      dl = cl;
      ch = bh;
      cl = bl;
      bh = ah;
      bl = al;
      sum = (t1l >>> 0) + (t2l >>> 0);
      ah = (t1h + t2h + ((sum / TWO32) | 0)) | 0;
      al = sum | 0;
    }
    add64(h, 0, ah, al);
    add64(h, 2, bh, bl);
    add64(h, 4, ch, cl);
    add64(h, 6, dh, dl);
    add64(h, 8, eh, el);
    add64(h, 10, fh, fl);
    add64(h, 12, gh, gl);
    add64(h, 14, hh, hl);
  }

  finish(out: Uint8Array): void {
    this.pad(16, true);
    for (let i = 0; i < 16; i++) writeBE(out, 4 * i, this.#h[i]!);
    this.reset();
  }
}

function add64(h: Int32Array, at: number, hi: number, lo: number): void {
  const sum = (h[at + 1]! >>> 0) + (lo >>> 0);
  h[at] = h[at]! + hi + ((sum / TWO32) | 0);
  h[at + 1] = sum;
}

// ---- MD5 (RFC 1321) ----

/** floor(|sin(i + 1)| * 2^32), written out: Math.sin's last bit is not the same on every engine. */
const MD5_K = Int32Array.from([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);
const MD5_S = Uint8Array.from([7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]);
const IV_MD5 = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);

export class Md5 extends BlockDigest {
  readonly size = 16;
  readonly #h = Int32Array.from(IV_MD5);
  readonly #x = new Int32Array(16);

  constructor() {
    super(64);
  }

  protected reset(): void {
    this.#h.set(IV_MD5);
  }

  protected compress(data: Uint8Array, offset: number): void {
    const x = this.#x;
    for (let i = 0; i < 16; i++) x[i] = readLE(data, offset + 4 * i);
    const h = this.#h;
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      const round = i >>> 4;
      if (round === 0) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (round === 1) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (round === 2) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = MD5_S[(round << 2) | (i & 3)]!;
      const t = (a + f + MD5_K[i]! + x[g]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
  }

  finish(out: Uint8Array): void {
    this.pad(8, false);
    for (let i = 0; i < 4; i++) writeLE(out, 4 * i, this.#h[i]!);
    this.reset();
  }
}
