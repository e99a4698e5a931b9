/**
 * Encoding converters (HAProxy's sample.c and http_conv.c): `hex hex2i base64 b64dec ub64enc
 * ub64dec url_dec url_enc json be2dec be2hex htonl`. Binary samples are strings of bytes (one
 * character each), so each converter walks character codes 0-255.
 */
import { type ConverterDefinition, type ConvertOp, intArg, simpleConverter, spec, strArg } from './definition.ts';

const HEX_UPPER = '0123456789ABCDEF';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PAD = 64;

function reverseTable(alphabet: string, extra: Readonly<Record<string, number>>): Int8Array {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  for (const [c, v] of Object.entries(extra)) table[c.charCodeAt(0)] = v;
  return table;
}

const B64_REV = reverseTable(B64, { '=': PAD });
// HAProxy's base64url table reads '=' as 63, like '_' (its decoding never meets padding otherwise).
const B64_URL_REV = reverseTable(B64_URL, { '=': 63 });

export function hexOf(bytes: string): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    out += HEX_UPPER[(c >> 4) & 0xf]! + HEX_UPPER[c & 0xf]!;
  }
  return out;
}

/** a2base64 / a2base64url: padded standard base64, or unpadded base64url. */
export function base64Of(bytes: string, url: boolean): string {
  const alphabet = url ? B64_URL : B64;
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes.charCodeAt(i) << 16) | (bytes.charCodeAt(i + 1) << 8) | bytes.charCodeAt(i + 2);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const c = bytes.charCodeAt(i);
    out += alphabet[c >> 2]! + alphabet[(c & 3) << 4]! + (url ? '' : '==');
  } else if (rest === 2) {
    const c = bytes.charCodeAt(i);
    const d = bytes.charCodeAt(i + 1);
    out += alphabet[c >> 2]! + alphabet[((c & 3) << 4) | (d >> 4)]! + alphabet[(d & 15) << 2]! + (url ? '' : '=');
  }
  return out;
}

function quad(out: string, t0: number, t1: number, t2: number, t3: number, keep: number): string {
  const b0 = ((t0 << 2) + (t1 >> 4)) & 0xff;
  const b1 = ((t1 << 4) + (t2 >> 2)) & 0xff;
  const b2 = ((t2 << 6) + t3) & 0xff;
  if (keep === 3) return out + String.fromCharCode(b0, b1, b2);
  if (keep === 2) return out + String.fromCharCode(b0, b1);
  if (keep === 1) return out + String.fromCharCode(b0);
  return out;
}

/** HAProxy's base64dec: a multiple of 4 characters; padding inside a quad may end it ("XX==", "XXX="). */
export function base64Decode(text: string): string | undefined {
  if (text.length % 4 !== 0) return undefined;
  let out = '';
  const t = [0, 0, 0, 0];
  let i = 0;
  let pad = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    const b = c < 256 ? (B64_REV[c] as number) : -1;
    if (b < 0) return undefined;
    if (pad && b !== PAD) return undefined;
    if (pad && i < 2) return undefined;
    if (b === PAD) pad++;
    t[i++] = b;
    if (i === 4) {
      out = quad(out, t[0]!, t[1]!, t[2]!, t[3]!, 3 - pad);
      pad = i = 0;
    }
  }
  return out;
}

/** HAProxy's base64urldec: unpadded base64url (a length of 4n+1 is invalid). */
export function base64UrlDecode(text: string): string | undefined {
  const r = text.length % 4;
  if (r === 1) return undefined;
  let out = '';
  for (let k = 0; k < text.length; k += 4) {
    const t = [0, 0, 0, 0];
    const n = Math.min(4, text.length - k);
    for (let j = 0; j < n; j++) {
      const c = text.charCodeAt(k + j);
      const b = c < 256 ? (B64_URL_REV[c] as number) : -1;
      if (b < 0) return undefined;
      t[j] = b;
    }
    out = quad(out, t[0]!, t[1]!, t[2]!, t[3]!, n - 1);
  }
  return out;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** hex2i: the whole text as hexadecimal (any non-hex character fails), wrapping at 64 bits. */
function hexToInt(text: string): number | undefined {
  if (text.length <= 13) {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const d = hexDigit(text.charCodeAt(i));
      if (d < 0) return undefined;
      n = n * 16 + d;
    }
    return n;
  }
  let n = 0n;
  for (let i = 0; i < text.length; i++) {
    const d = hexDigit(text.charCodeAt(i));
    if (d < 0) return undefined;
    n = BigInt.asIntN(64, (n << 4n) + BigInt(d));
  }
  return Number(n);
}

/** url_decode: %XX sequences (an invalid one fails), '+' as a space in a form or after '?'; stops at NUL. */
export function urlDecode(text: string, form: boolean): string | undefined {
  let inForm = form;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) break;
    if (c === 0x2b /* + */) {
      out += inForm ? ' ' : '+';
    } else if (c === 0x25 /* % */) {
      const h = hexDigit(text.charCodeAt(i + 1));
      const l = hexDigit(text.charCodeAt(i + 2));
      if (h < 0 || l < 0) return undefined;
      out += String.fromCharCode((h << 4) + l);
      i += 2;
    } else {
      if (c === 0x3f /* ? */) inForm = true;
      out += text[i];
    }
  }
  return out;
}

/** url_enc(query): RFC 3986 unreserved characters kept, every other byte as %XX. */
function urlEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const keep = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
    out += keep ? text[i] : `%${HEX_UPPER[(c >> 4) & 0xf]}${HEX_UPPER[c & 0xf]}`;
  }
  return out;
}

type JsonMode = 'ascii' | 'utf8' | 'utf8s' | 'utf8p' | 'utf8ps';

const UTF8_OVERLONG = 0x10;
const UTF8_INVRANGE = 0x20;
const UTF8_BADSEQ = 0x40;

/** HAProxy's utf8_next: the code point at `at`, its length and HAProxy's status bits. */
function utf8Next(text: string, at: number, out: { c: number; len: number; code: number }): void {
  const first = text.charCodeAt(at);
  const left = text.length - at;
  let dec: number;
  let c: number;
  out.code = 0;
  if (first <= 0x7f) {
    out.c = first;
    out.len = 1;
    return;
  }
  if (first <= 0xbf || first >= 0xfe) {
    out.c = first;
    out.len = 1;
    out.code = UTF8_BADSEQ;
    return;
  }
  if (first <= 0xdf) [dec, c] = [1, first & 0x1f];
  else if (first <= 0xef) [dec, c] = [2, first & 0x0f];
  else if (first <= 0xf7) [dec, c] = [3, first & 0x07];
  else if (first <= 0xfb) [dec, c] = [4, first & 0x03];
  else [dec, c] = [5, first & 0x01];
  if (left < dec + 1) {
    out.c = first;
    out.len = 1;
    out.code = UTF8_BADSEQ;
    return;
  }
  let p = at + 1;
  for (; dec > 0; dec--, p++) {
    const b = text.charCodeAt(p);
    if ((b & 0xc0) !== 0x80) {
      out.c = c;
      out.len = p - at;
      out.code = UTF8_BADSEQ;
      return;
    }
    c = c * 64 + (b & 0x3f);
  }
  const n = p - at;
  if ((c <= 0x7f && n > 1) || (c >= 0x80 && c <= 0x7ff && n > 2) || (c >= 0x800 && c <= 0xffff && n > 3) || (c >= 0x10000 && c <= 0x1fffff && n > 4)) {
    out.code |= UTF8_OVERLONG;
  }
  if ((c >= 0xd800 && c <= 0xdfff) || (c >= 0xfffe && c <= 0xffff)) out.code |= UTF8_INVRANGE;
  out.c = c;
  out.len = n & 0x0f;
}

const JSON_ESCAPES: Readonly<Record<number, string>> = { 0x22: '\\"', 0x5c: '\\\\', 0x2f: '\\/', 0x08: '\\b', 0x0c: '\\f', 0x0d: '\\r', 0x0a: '\\n', 0x09: '\\t' };

/** sample_conv_json: the text escaped for a JSON string, read as bytes or as UTF-8 per `mode`. */
export function jsonEscape(text: string, mode: JsonMode): string | undefined {
  let out = '';
  const next = { c: 0, len: 0, code: 0 };
  for (let p = 0; p < text.length; ) {
    let c: number;
    if (mode === 'ascii') {
      c = text.charCodeAt(p++);
    } else {
      utf8Next(text, p, next);
      p += next.len;
      c = next.c;
      if ((mode === 'utf8' || mode === 'utf8s') && next.code !== 0) {
        if (mode === 'utf8') return undefined;
        continue;
      }
      if ((mode === 'utf8p' || mode === 'utf8ps') && (next.code & (UTF8_INVRANGE | UTF8_BADSEQ)) !== 0) {
        if (mode === 'utf8p') return undefined;
        continue;
      }
      if (c > 0xffff) {
        if (mode === 'utf8' || mode === 'utf8p') return undefined;
        continue;
      }
    }
    const escaped = JSON_ESCAPES[c];
    if (escaped !== undefined) out += escaped;
    else if (c > 0xff || c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

const JSON_MODES: readonly JsonMode[] = ['ascii', 'utf8', 'utf8s', 'utf8p', 'utf8ps'];

const json: ConverterDefinition = {
  name: 'json',
  args: spec(1, 'str'),
  input: 'str',
  output: 'str',
  compile(args) {
    const word = strArg(args, 0) ?? '';
    const mode = word === '' ? 'ascii' : JSON_MODES.find((m) => m === word);
    if (mode === undefined) return "Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'";
    return (s) => {
      const escaped = jsonEscape(s.str, mode);
      return escaped === undefined ? false : s.setStr(escaped);
    };
  },
};

const urlEnc: ConverterDefinition = {
  name: 'url_enc',
  args: spec(1, 'str'),
  input: 'str',
  output: 'str',
  compile(args) {
    const type = strArg(args, 0) ?? '';
    if (type !== '' && type !== 'query') return "Unexpected encode type. Allowed value is 'query'";
    return (s) => s.setStr(urlEncode(s.str));
  },
};

/** be2dec: unsigned big-endian integers of `size` bytes joined by `separator` (a short last chunk unless `truncate`). */
function beToDec(bytes: string, separator: string, size: number, truncate: boolean): string {
  const last = truncate ? bytes.length - size + 1 : bytes.length;
  let out = '';
  for (let p = 0; p < last; ) {
    if (p > 0) out += separator;
    let n = 0n;
    for (let i = 0; i < size && p < bytes.length; i++) n = (n << 8n) + BigInt(bytes.charCodeAt(p++));
    out += n.toString();
  }
  return out;
}

/** be2hex: two hex digits per byte, `separator` every `size` bytes (no separator: one chunk). */
function beToHex(bytes: string, separator: string, chunk: number, truncate: boolean): string {
  const size = separator === '' && !truncate ? bytes.length : chunk;
  const last = truncate ? bytes.length - chunk + 1 : bytes.length;
  let out = '';
  for (let p = 0; p < last; ) {
    if (p > 0) out += separator;
    for (let i = 0; i < size && p < bytes.length; i++) {
      const c = bytes.charCodeAt(p++);
      out += HEX_UPPER[(c >> 4) & 0xf]! + HEX_UPPER[c & 0xf]!;
    }
    if (size <= 0) break;
  }
  return out;
}

const be2dec: ConverterDefinition = {
  name: 'be2dec',
  args: spec(1, 'str', 'sint', 'sint'),
  input: 'bin',
  output: 'str',
  compile(args) {
    const size = intArg(args, 1, 0);
    const truncate = intArg(args, 2, 0);
    if (size <= 0 || size > 8) return `chunk_size out of [1..8] range (${size})`;
    if (truncate !== 0 && truncate !== 1) return `Unsupported truncate value (${truncate})`;
    const separator = strArg(args, 0) ?? '';
    return (s) => s.setStr(beToDec(s.str, separator, size, truncate === 1));
  },
};

const be2hex: ConverterDefinition = {
  name: 'be2hex',
  args: spec(1, 'str', 'sint', 'sint'),
  input: 'bin',
  output: 'str',
  compile(args) {
    const separator = strArg(args, 0) ?? '';
    const size = intArg(args, 1, 0);
    const truncate = intArg(args, 2, 0);
    if (size <= 0 && (separator !== '' || truncate !== 0)) return `chunk_size needs to be positive (${size})`;
    if (truncate !== 0 && truncate !== 1) return `Unsupported truncate value (${truncate})`;
    return (s) => s.setStr(beToHex(s.str, separator, size, truncate === 1));
  },
};

const decodeWith =
  (decode: (text: string) => string | undefined): ConvertOp =>
  (s) => {
    const bytes = decode(s.str);
    return bytes === undefined ? false : s.setBin(bytes);
  };

export const ENCODING_CONVERTERS: readonly ConverterDefinition[] = [
  simpleConverter('hex', spec(0), 'bin', 'str', () => (s) => s.setStr(hexOf(s.str))),
  simpleConverter('hex2i', spec(0), 'str', 'sint', () => (s) => {
    const n = hexToInt(s.str);
    return n === undefined ? false : s.setInt(n);
  }),
  simpleConverter('base64', spec(0), 'bin', 'str', () => (s) => s.setStr(base64Of(s.str, false))),
  simpleConverter('ub64enc', spec(0), 'bin', 'str', () => (s) => s.setStr(base64Of(s.str, true))),
  simpleConverter('b64dec', spec(0), 'str', 'bin', () => decodeWith(base64Decode)),
  simpleConverter('ub64dec', spec(0), 'str', 'bin', () => decodeWith(base64UrlDecode)),
  simpleConverter('url_dec', spec(0, 'sint'), 'str', 'str', (args) => {
    const form = intArg(args, 0, 0) !== 0;
    return (s) => {
      const decoded = urlDecode(s.str, form);
      return decoded === undefined ? false : s.setStr(decoded);
    };
  }),
  urlEnc,
  json,
  be2dec,
  be2hex,
  simpleConverter('htonl', spec(0), 'sint', 'bin', () => (s) => {
    const n = Number(BigInt.asUintN(32, BigInt(Math.trunc(s.num))));
    return s.setBin(String.fromCharCode(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff));
  }),
];
