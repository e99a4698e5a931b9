/**
 * How HAProxy 2.6 writes one value into a log-format line (src/log.c lf_text_len, lf_ip,
 * lf_port, lf_encode_string/chunk): the `%{+Q}` quotes, `%{+E}` backslash escapes, `%{+X}`
 * hexadecimal addresses and ports, the '-' that stands for an absent value in log lines, and
 * the character maps that encode request lines (`#XX`) and sample values in header values
 * (`%XX`). Each helper returns the input string itself when nothing needs changing.
 */

/** HAProxy's LOG_OPT_* bits, as a log-format node carries them. */
export const LogOpt = {
  hex: 0x1,
  /** Print '-' for an absent value (log lines; not header values). */
  mandatory: 0x2,
  quote: 0x4,
  /** The format is an HTTP header value: samples are %-encoded and never quoted. */
  http: 0x20,
  escape: 0x40,
  /** Runs of spaces become one separator (log lines). */
  mergeSpaces: 0x80,
} as const;

/** One bit per byte value: does this byte need encoding? */
export type CharMap = Uint8Array;

function charMap(encoded: (c: number) => boolean): CharMap {
  const map = new Uint8Array(256);
  for (let c = 0; c < 256; c++) map[c] = encoded(c) ? 1 : 0;
  return map;
}

/** url_encode_map: controls, DEL and above, '"' and '#' (request line variables, %r). */
export const URL_ENCODE: CharMap = charMap((c) => c < 32 || c >= 127 || c === 0x22 || c === 0x23);
/** http_encode_map: what may not appear in a header value (samples in header values). */
export const HTTP_ENCODE: CharMap = charMap((c) => (c <= 0x08 || (c >= 0x0a && c <= 0x1f) || c === 0x7f));
/** rfc5424_escape_map: what `+E` prefixes with a backslash. */
const ESCAPED: CharMap = charMap((c) => c === 0x22 || c === 0x5c || c === 0x5d);

const HEX = '0123456789ABCDEF';

function needs(text: string, map: CharMap, alsoEscaped: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) & 0xff;
    if (map[c] === 1 || (alsoEscaped && ESCAPED[c] === 1)) return true;
  }
  return false;
}

/**
 * HAProxy's encode_chunk, or with `+E` its escaping variant: bytes in `map` become `escape`
 * and two uppercase hex digits; with `escape` set, '"', '\' and ']' not in `map` get a
 * backslash in front.
 */
export function encodeText(text: string, escapeChar: string, map: CharMap, options: number): string {
  const esc = (options & LogOpt.escape) !== 0;
  if (!needs(text, map, esc)) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) & 0xff;
    if (map[c] === 1) {
      out += text.slice(from, i) + escapeChar + HEX[c >> 4] + HEX[c & 15];
      from = i + 1;
    } else if (esc && ESCAPED[c] === 1) {
      out += text.slice(from, i) + '\\';
      from = i;
    }
  }
  return out + text.slice(from);
}

/** `+E` alone (lf_text_len's escape_string): a backslash before '"', '\' and ']'. */
function escapeText(text: string): string {
  if (!needs(text, ESCAPED, false)) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (ESCAPED[text.charCodeAt(i) & 0xff] === 1) {
      out += text.slice(from, i) + '\\';
      from = i;
    }
  }
  return out + text.slice(from);
}

/**
 * lf_text_len: a text value, quoted with `+Q`, escaped with `+E`; an absent or empty value is
 * '-' in log lines (`""` when quoted) and nothing in header values.
 */
export function textValue(value: string | undefined, options: number): string {
  const quote = (options & LogOpt.quote) !== 0;
  if (value === undefined || value === '') {
    if (quote) return '""';
    return (options & LogOpt.mandatory) !== 0 ? '-' : '';
  }
  const text = (options & LogOpt.escape) !== 0 ? escapeText(value) : value;
  return quote ? `"${text}"` : text;
}

/** lf_ip: the address as text (a text value), or with `+X` its bytes in uppercase hex. */
export function ipValue(address: string | undefined, options: number): string {
  if (address === undefined) return textValue(undefined, options);
  if ((options & LogOpt.hex) === 0) return textValue(address, options);
  return addressHex(address) ?? textValue(address, options);
}

/** lf_port: decimal, never quoted; with `+X` four hex digits (network order). */
export function portValue(port: number | undefined, options: number): string {
  if (port === undefined) return textValue(undefined, options);
  return (options & LogOpt.hex) !== 0 ? hex(port, 4) : String(port);
}

/** Uppercase hexadecimal, zero-padded to at least `width` digits (printf's %0NX). */
export function hex(n: number, width: number): string {
  const text = (n >>> 0).toString(16).toUpperCase();
  return text.length >= width ? text : '0'.repeat(width - text.length) + text;
}

/** The 4 or 16 bytes of an address as hex digits; undefined when it is not an IP address. */
function addressHex(address: string): string | undefined {
  const v4 = ipv4Value(address, 0, address.length);
  if (v4 !== undefined) return hex(v4, 8);
  const bytes = ipv6Bytes(address);
  if (bytes === undefined) return undefined;
  let out = '';
  for (const b of bytes) out += HEX[b >> 4] + (HEX[b & 15] as string);
  return out;
}

/** A dotted quad in text[from, to) as a 32-bit number, or undefined. */
function ipv4Value(text: string, from: number, to: number): number | undefined {
  let value = 0;
  let part = -1;
  let parts = 0;
  for (let i = from; i <= to; i++) {
    const c = i === to ? 0x2e : text.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (part < 0 || part > 255) return undefined;
      value = value * 256 + part;
      part = -1;
      parts++;
    } else if (c >= 0x30 && c <= 0x39) {
      part = (part < 0 ? 0 : part * 10) + (c - 0x30);
    } else {
      return undefined;
    }
  }
  return parts === 4 ? value : undefined;
}

/** The 16 bytes of an IPv6 address in text form (with `::` and a trailing dotted quad). */
function ipv6Bytes(text: string): number[] | undefined {
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    const end = colon < 0 ? text.length : colon;
    if (colon < 0 && text.indexOf('.', i) >= 0) {
      const v4 = ipv4Value(text, i, end);
      if (v4 === undefined) return undefined;
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else {
      if (end === i || end - i > 4) return undefined;
      const group = Number.parseInt(text.slice(i, end), 16);
      if (Number.isNaN(group)) return undefined;
      groups.push(group);
    }
    if (colon < 0) break;
    i = colon + 1;
    if (text.charCodeAt(i) === 0x3a /* : */) {
      if (gap >= 0) return undefined;
      gap = groups.length;
      i++;
    }
  }
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return undefined;
  if (gap >= 0) groups.splice(gap, 0, ...new Array<number>(8 - groups.length).fill(0));
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  return bytes;
}
