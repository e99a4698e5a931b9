/**
 * HPACK's Huffman code (RFC 7541 §5.2, Appendix B). The code is canonical, so the table is
 * kept as its 257 code lengths (symbol 256 is EOS) and the codes are derived from them once.
 * Decoding walks a nibble-driven state machine (one table lookup per 4 bits, built at load),
 * encoding packs the codes into a caller's buffer.
 */

const LENGTHS =
  '13,23,28,28,28,28,28,28,28,24,30,28,28,30,28,28,28,28,28,28,28,28,30,28,28,28,28,28,28,28,28,28,' +
  '6,10,10,12,13,6,8,11,10,10,8,11,8,6,6,6,5,5,5,6,6,6,6,6,6,6,7,8,15,6,12,10,13,6,7,7,7,7,7,7,7,7,7,' +
  '7,7,7,7,7,7,7,7,7,7,7,7,7,8,7,8,13,19,13,14,6,15,5,6,5,6,5,6,6,6,5,7,7,6,6,6,5,6,7,6,5,5,6,7,7,7,7,' +
  '7,15,11,14,13,28,20,22,20,20,22,22,22,23,22,23,23,23,23,23,24,23,24,24,22,23,24,23,23,23,23,21,22,' +
  '23,22,23,23,24,22,21,20,22,22,23,23,21,23,22,22,24,21,22,23,23,21,21,22,21,23,22,23,23,20,22,22,22,' +
  '23,22,22,23,26,26,20,19,22,23,22,25,26,26,26,27,27,26,24,25,19,21,26,27,27,26,27,24,21,21,26,26,28,' +
  '27,27,27,20,24,20,21,22,21,21,23,22,22,25,25,24,24,26,23,26,27,26,26,27,27,27,27,27,28,27,27,27,27,' +
  '27,26,30';

const EOS = 256;
/** Code length in bits per symbol. */
export const HUFFMAN_BITS = new Uint8Array(LENGTHS.split(',').map(Number));
/** Code per symbol, right-aligned. */
const CODES = new Uint32Array(257);

// Canonical assignment: codes in order of (length, symbol), each the previous plus one, shifted
// left when the length grows.
{
  const order = Array.from({ length: 257 }, (_, s) => s).sort((a, b) => HUFFMAN_BITS[a]! - HUFFMAN_BITS[b]! || a - b);
  let code = 0;
  let prev = HUFFMAN_BITS[order[0]!]!;
  for (let i = 0; i < order.length; i++) {
    const s = order[i]!;
    const len = HUFFMAN_BITS[s]!;
    if (i > 0) code = ((code + 1) << (len - prev)) >>> 0;
    prev = len;
    CODES[s] = code;
  }
}

// The decoding tree: node 0 is the root; child[2n + bit] is a node index, or ~symbol for a leaf.
const MAX_NODES = 256;
const child = new Int32Array(MAX_NODES * 2);
/** Node reached from the root by 1-bits only (padding is at most 7 of them, RFC 7541 §5.2). */
const paddingNode = new Uint8Array(MAX_NODES);
{
  let nodes = 1;
  for (let s = 0; s <= EOS; s++) {
    const len = HUFFMAN_BITS[s]!;
    const code = CODES[s]!;
    let n = 0;
    for (let b = len - 1; b > 0; b--) {
      const slot = 2 * n + ((code >>> b) & 1);
      if (child[slot] === 0) child[slot] = nodes++;
      n = child[slot]!;
    }
    child[2 * n + (code & 1)] = ~s;
  }
  let n = 0;
  for (let depth = 1; depth <= 7; depth++) {
    n = child[2 * n + 1]!;
    paddingNode[n] = 1;
  }
}

// Nibble machine: for (state, nibble), the next state, the symbol emitted (if any) and failure
// (EOS decoded). Packed as next | emit << 8 | symbol << 9 | fail << 17.
const NIBBLE = new Int32Array(MAX_NODES * 16);
{
  for (let state = 0; state < MAX_NODES; state++) {
    for (let nib = 0; nib < 16; nib++) {
      let n = state;
      let emit = 0;
      let sym = 0;
      let fail = 0;
      for (let b = 3; b >= 0; b--) {
        const next = child[2 * n + ((nib >>> b) & 1)]!;
        if (next < 0) {
          if (~next === EOS) fail = 1;
          emit = 1;
          sym = ~next;
          n = 0;
        } else {
          n = next;
        }
      }
      NIBBLE[state * 16 + nib] = n | (emit << 8) | ((sym & 0xff) << 9) | (fail << 17);
    }
  }
}

/**
 * Decodes src[start, end) into out from `at`; returns the new end in out, or -1 when the input
 * is not a valid Huffman string (EOS inside, or padding that is not a short run of 1-bits).
 * `out` must have room for (end - start) * 8 / 5 bytes (the shortest code is 5 bits).
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  let state = 0;
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    let e = NIBBLE[state * 16 + (byte >>> 4)]!;
    if (e & 0x20000) return -1;
    if (e & 0x100) out[at++] = (e >>> 9) & 0xff;
    state = e & 0xff;
    e = NIBBLE[state * 16 + (byte & 15)]!;
    if (e & 0x20000) return -1;
    if (e & 0x100) out[at++] = (e >>> 9) & 0xff;
    state = e & 0xff;
  }
  return state === 0 || paddingNode[state] === 1 ? at : -1;
}

/** Bytes the Huffman encoding of s[...] (latin1 code units) takes. */
export function huffmanLength(s: string): number {
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += HUFFMAN_BITS[s.charCodeAt(i) & 0xff]!;
  return (bits + 7) >>> 3;
}

/** Bytes the Huffman encoding of src[start, end) takes. */
export function huffmanLengthOfBytes(src: Uint8Array, start: number, end: number): number {
  let bits = 0;
  for (let i = start; i < end; i++) bits += HUFFMAN_BITS[src[i]!]!;
  return (bits + 7) >>> 3;
}

/** The latin1 bytes of the strings huffmanEncode is given, grown as needed. */
let scratch = new Uint8Array(256);

/** Writes the Huffman encoding of s (latin1) into out at `at`, padded with 1-bits; returns the new end. */
export function huffmanEncode(s: string, out: Uint8Array, at: number): number {
  const n = s.length;
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  // a Uint8Array keeps the low byte of each code unit, as latin1 does
  for (let i = 0; i < n; i++) scratch[i] = s.charCodeAt(i);
  return huffmanEncodeBytes(scratch, 0, n, out, at);
}

/** Writes the Huffman encoding of src[start, end) into out at `at`, padded with 1-bits; returns the new end. */
export function huffmanEncodeBytes(src: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  // Pending bits, right-aligned, in a small integer: fewer than 8 stay after each flush, and a
  // code is added at most 24 bits at a time (the longer ones, 25-30 bits, in two steps), so the
  // accumulator never needs more than 31 bits and stays out of floating point.
  let acc = 0;
  let nbits = 0;
  for (let i = start; i < end; i++) {
    const sym = src[i]!;
    let len = HUFFMAN_BITS[sym]!;
    let code = CODES[sym]!;
    if (len > 24) {
      const high = len - 16;
      acc = (acc << high) | (code >>> 16);
      nbits += high;
      while (nbits >= 8) {
        nbits -= 8;
        out[at++] = acc >>> nbits;
      }
      acc &= (1 << nbits) - 1;
      code &= 0xffff;
      len = 16;
    }
    acc = (acc << len) | code;
    nbits += len;
    while (nbits >= 8) {
      nbits -= 8;
      out[at++] = acc >>> nbits;
    }
    acc &= (1 << nbits) - 1;
  }
  if (nbits > 0) out[at++] = (acc << (8 - nbits)) | (0xff >>> nbits);
  return at;
}
