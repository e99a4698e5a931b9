/**
 * Byte classification tables and small byte helpers shared by the HTTP/1.1 codec.
 * A table lookup per byte is the fastest test V8 offers for these classes.
 */

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) if (pred(c)) t[c] = 1;
  return t;
}

const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

/** RFC 9110 tchar: the bytes a token (method, header name, coding) may contain. */
export const TCHAR: Uint8Array = table((c) => isAlpha(c) || isDigit(c) || TCHAR_SYMBOLS.includes(String.fromCharCode(c)));

/**
 * Bytes allowed inside a field value (RFC 9110 field-content plus the SP/HTAB between words):
 * HTAB, SP, VCHAR, obs-text. Excludes NUL, CR, LF, every other control byte and DEL (0x7F).
 */
export const FIELD_VALUE: Uint8Array = table((c) => c === 0x09 || (c >= 0x20 && c !== 0x7f));

/**
 * Header-name bytes under `option accept-invalid-http-request|response`: HAProxy 2.6 then takes
 * any byte but ':' and LF; Switchyard still refuses SP, HTAB, CR, other controls and DEL, which
 * would let "Transfer-Encoding :" or "Content-Length\t" reach a server that trims them.
 */
export const RELAXED_NAME: Uint8Array = table((c) => c > 0x20 && c !== 0x7f && c !== 0x3a);

/** Bytes allowed in a request-target: visible ASCII (0x21..0x7E) except '#' (no fragment on the wire). */
export const TARGET_CHAR: Uint8Array = table((c) => c >= 0x21 && c <= 0x7e && c !== 0x23);

/** ASCII lowercase of every byte (non-letters map to themselves). */
export const LOWER: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  return t;
})();

/** Hex digit value, or 0xff for a non-hex byte. */
export const HEX: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(0xff);
  for (let c = 0x30; c <= 0x39; c++) t[c] = c - 0x30;
  for (let c = 0x61; c <= 0x66; c++) t[c] = c - 0x61 + 10;
  for (let c = 0x41; c <= 0x46; c++) t[c] = c - 0x41 + 10;
  return t;
})();

/** RFC 3986 unreserved / sub-delims: the bytes of a reg-name (besides pct-encoded triplets). */
export const REG_NAME: Uint8Array = table((c) => isAlpha(c) || isDigit(c) || "-._~!$&'()*+,;=".includes(String.fromCharCode(c)));

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const SEMI = 0x3b;
export const DQUOTE = 0x22;
export const BACKSLASH = 0x5c;

/** Encodes an ASCII/latin1 string byte per char. Used for constants built at module load. */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/**
 * Decodes bytes as latin1 (one char per byte), so any byte string round-trips. Head bytes are
 * validated ASCII for methods and targets; header values may hold obs-text (0x80..0xFF), which
 * this keeps byte-exact rather than guessing at UTF-8.
 */
export function latin1String(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return '';
  if (n <= 32) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  let s = '';
  for (let i = start; i < end; i += 4096) {
    const stop = i + 4096 < end ? i + 4096 : end;
    s += String.fromCharCode.apply(null, buf.subarray(i, stop) as unknown as number[]);
  }
  return s;
}

/** latin1String of the ASCII-lowercased bytes: a field name as HTTP/2 spells it, in one pass. */
export function latin1LowerString(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(LOWER[buf[i]!]!);
  return s;
}

/** True when buf[start, start+lc.length) equals lc (already lowercase) ASCII case-insensitively. */
export function equalsLower(buf: Uint8Array, start: number, end: number, lc: Uint8Array): boolean {
  const n = lc.length;
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) if (LOWER[buf[start + i]!] !== lc[i]) return false;
  return true;
}

/** Bytes of a string as UTF-8 (ASCII fast path: one byte per char). */
export function utf8Length(s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) > 0x7f) return encoder.encode(s).length;
  }
  return n;
}

const encoder = new TextEncoder();

/** Writes s as UTF-8 at out[pos]; returns the position after it. The caller sized out with utf8Length. */
export function writeString(out: Uint8Array, pos: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return pos + encoder.encodeInto(s, out.subarray(pos)).written;
    out[pos + i] = c;
  }
  return pos + n;
}

/** Copies src[start, end) to out[pos]; returns the position after it. Short runs avoid a subarray. */
export function copyBytes(out: Uint8Array, pos: number, src: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n < 48) {
    for (let i = 0; i < n; i++) out[pos + i] = src[start + i]!;
  } else {
    out.set(src.subarray(start, end), pos);
  }
  return pos + n;
}

/** Copies src[start, end) into a new array that owns its memory (Uint8Array#slice even for a Node Buffer). */
export function copyOut(src: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  copyBytes(out, 0, src, start, end);
  return out;
}

const SLAB_SIZE = 32768;
let slab = new ArrayBuffer(0);
let slabOffset = 0;

/**
 * A fresh view of n bytes carved from a shared 32 KiB slab, like Node's Buffer pool:
 * a view is much cheaper to create than a fresh ArrayBuffer per head. A slab stays alive while
 * any view into it does, so holders of heads should drop them when a transaction ends. Requests
 * larger than 8 KiB get their own array.
 */
export function allocFromSlab(n: number): Uint8Array {
  if (n > SLAB_SIZE >>> 2) return new Uint8Array(n);
  if (slabOffset + n > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOffset = 0;
  }
  const out = new Uint8Array(slab, slabOffset, n);
  slabOffset = (slabOffset + n + 7) & ~7;
  return out;
}

/**
 * bytes[start, end) as a view, as subarray() gives, for a fraction of its cost on V8 (whose
 * subarray goes through the species protocol: about twice the constructor's time). The view is
 * a plain Uint8Array even when bytes is a Node Buffer.
 */
export function viewOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}

/** Copies src[start, end) into a slab view (see allocFromSlab). */
export function copyToSlab(src: Uint8Array, start: number, end: number): Uint8Array {
  const out = allocFromSlab(end - start);
  copyBytes(out, 0, src, start, end);
  return out;
}
