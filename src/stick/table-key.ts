/**
 * Turns a sample (text from a sample fetch) into the key of a stick table of a given type, as
 * HAProxy's sample casts do before a table lookup. A sample that cannot become a key of that
 * type yields undefined: the rule is skipped (HAProxy skips a rule whose key cast fails).
 *
 * Keys are strings in one canonical form per type, so that every spelling of the same key
 * (`10.0.0.1` and `::ffff:10.0.0.1` in an ip table, `007` and `7` in an integer table) finds the
 * same entry:
 *   ip       dotted quad ("192.0.2.1"). An IPv6 sample converts only when it is IPv4-mapped
 *            (::ffff:a.b.c.d, as a dual-stack listener reports IPv4 clients); any other IPv6
 *            address has no IPv4 form, so it gets no key and the rule does not apply (HAProxy's
 *            ipv6-to-ip cast fails likewise). Use `type ipv6` for IPv6 clients.
 *   ipv6     eight lower-case hex groups without compression ("2001:db8:0:0:0:0:0:1"); an IPv4
 *            sample becomes its IPv4-mapped form.
 *   integer  unsigned 32-bit decimal (HAProxy's integer keys are 32 bits); an IPv4 address is its
 *            32-bit value, as HAProxy's ip-to-int cast.
 *   string   the sample truncated to `len` characters.
 *   binary   the sample's bytes (latin1 text) truncated or zero-padded to `len` bytes.
 */
import type { StickTableModel } from '../config/model.ts';
import { parseIpv4 } from '../util/ipv4.ts';

export type StickKeyType = StickTableModel['type'];

/** The canonical key for `sample` in a table of this type, or undefined when it has none. */
export function stickKey(type: StickKeyType, keyLength: number, sample: string): string | undefined {
  switch (type) {
    case 'ip':
      return ipv4Key(sample);
    case 'ipv6':
      return ipv6Key(sample);
    case 'integer':
      return integerKey(sample);
    case 'string':
      return sample.length > keyLength ? sample.slice(0, keyLength) : sample;
    case 'binary':
      if (sample.length >= keyLength) return sample.slice(0, keyLength);
      return sample + '\0'.repeat(keyLength - sample.length);
  }
}

export { parseIpv4 } from '../util/ipv4.ts';

function dottedQuad(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Parses an IPv6 address (with an optional embedded IPv4 tail) into 8 groups, or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  if (text.indexOf(':') < 0) return undefined;
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  const n = text.length;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
    if (i === n) return [0, 0, 0, 0, 0, 0, 0, 0];
  }
  while (i < n) {
    let j = i;
    while (j < n && text.charCodeAt(j) !== 0x3a /* : */) j++;
    const piece = text.slice(i, j);
    if (piece.indexOf('.') >= 0) {
      // Embedded IPv4 (::ffff:192.0.2.1): only as the last piece.
      if (j !== n) return undefined;
      const v4 = parseIpv4(piece);
      if (v4 < 0) return undefined;
      groups.push(v4 >>> 16, v4 & 0xffff);
      i = j;
      break;
    }
    if (piece.length === 0 || piece.length > 4) return undefined;
    let g = 0;
    for (let k = 0; k < piece.length; k++) {
      const d = hexDigit(piece.charCodeAt(k));
      if (d < 0) return undefined;
      g = g * 16 + d;
    }
    groups.push(g);
    if (j === n) {
      i = j;
      break;
    }
    // j is at ':'; '::' marks the gap (once).
    if (j + 1 < n && text.charCodeAt(j + 1) === 0x3a) {
      if (gap >= 0) return undefined;
      gap = groups.length;
      i = j + 2;
      if (i === n) break;
    } else {
      i = j + 1;
      if (i === n) return undefined; // trailing single ':'
    }
  }
  if (groups.length > 8) return undefined;
  if (gap < 0) return groups.length === 8 ? groups : undefined;
  if (groups.length === 8) return undefined; // '::' must stand for at least one group
  const zeros = new Array<number>(8 - groups.length).fill(0);
  groups.splice(gap, 0, ...zeros);
  return groups;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff;
}

/** A dotted quad without leading zeros (`192.0.2.1`, as a client address reads): already the key. */
function canonicalDottedQuad(s: string): boolean {
  const n = s.length;
  let octets = 0;
  let i = 0;
  while (i < n) {
    const first = s.charCodeAt(i);
    if (first < 0x30 || first > 0x39) return false;
    let value = first - 0x30;
    let j = i + 1;
    for (; j < n && s.charCodeAt(j) !== 0x2e; j++) {
      const d = s.charCodeAt(j) - 0x30;
      if (d < 0 || d > 9 || value === 0) return false;
      value = value * 10 + d;
      if (value > 255) return false;
    }
    octets++;
    if (j === n) return octets === 4;
    if (octets === 4) return false;
    i = j + 1;
    if (i === n) return false;
  }
  return false;
}

function ipv4Key(sample: string): string | undefined {
  if (canonicalDottedQuad(sample)) return sample;
  const v4 = parseIpv4(sample);
  if (v4 >= 0) return dottedQuad(v4);
  const groups = parseIpv6(sample);
  if (groups === undefined || !isIpv4Mapped(groups)) return undefined;
  return dottedQuad(((groups[6] as number) * 65536 + (groups[7] as number)) >>> 0);
}

function ipv6Key(sample: string): string | undefined {
  const v4 = parseIpv4(sample);
  if (v4 >= 0) return `0:0:0:0:0:ffff:${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  const groups = parseIpv6(sample);
  if (groups === undefined) return undefined;
  let key = '';
  for (let i = 0; i < 8; i++) key += (i === 0 ? '' : ':') + (groups[i] as number).toString(16);
  return key;
}

const TWO_32 = 4294967296;

function integerKey(sample: string): string | undefined {
  const v4 = parseIpv4(sample);
  if (v4 >= 0) return String(v4);
  const n = sample.length;
  let i = 0;
  const sign = sample.charCodeAt(0);
  if (sign === 0x2b /* + */ || sign === 0x2d /* - */) i = 1;
  if (i === n) return undefined;
  for (let k = i; k < n; k++) {
    const c = sample.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  if (n - i <= 15) {
    const value = Number(sample);
    return String(((value % TWO_32) + TWO_32) % TWO_32);
  }
  return String(BigInt.asUintN(32, BigInt(sample)));
}
