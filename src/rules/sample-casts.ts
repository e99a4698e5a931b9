/**
 * HAProxy's sample type casts (sample.c's sample_casts matrix): which converter may follow
 * which fetch (checked once, at configuration time, on the declared types) and the casts
 * applied at run time before each converter, with HAProxy's exact results: "12abc" reads as
 * 12, an empty string as no integer, binary data stops at its first NUL byte as a string, an
 * integer becomes 8 big-endian bytes as binary.
 *
 * As in HAProxy, a cast to a type the sample already has is no cast: a boolean given to an
 * integer converter stays a boolean carrying the converter's result, a string given to a binary
 * converter stays a string.
 */
import { formatIpv4, formatIpv6, inetPton6, bufToIpv4, v4ToV6, v6ToV4 } from '../util/ip-address.ts';
import { parseIpv4 } from '../util/ipv4.ts';
import { parseAddress } from '../util/cidr.ts';
import { integerText, readInt64, type Sample, type SampleOutputType, type SampleType } from './sample.ts';

/** HAProxy's declared sample types (smp_to_type), as fetches and converters declare them. */
export type DeclaredType = 'any' | 'bool' | 'sint' | 'addr' | 'ipv4' | 'ipv6' | 'str' | 'bin' | 'meth';

const ORDER: readonly DeclaredType[] = ['any', 'bool', 'sint', 'addr', 'ipv4', 'ipv6', 'str', 'bin', 'meth'];

// Rows: from; columns: to, in ORDER. 1 = a cast exists (c_none or a conversion).
const MATRIX: readonly (readonly number[])[] = [
  /* any  */ [1, 1, 1, 1, 1, 1, 1, 1, 1],
  /* bool */ [1, 1, 1, 0, 0, 0, 1, 1, 0],
  /* sint */ [1, 1, 1, 1, 1, 1, 1, 1, 0],
  /* addr */ [1, 0, 0, 0, 0, 0, 0, 0, 0],
  /* ipv4 */ [1, 0, 1, 1, 1, 1, 1, 1, 0],
  /* ipv6 */ [1, 0, 0, 1, 1, 1, 1, 1, 0],
  /* str  */ [1, 1, 1, 1, 1, 1, 1, 1, 1],
  /* bin  */ [1, 0, 0, 0, 0, 0, 1, 1, 1],
  /* meth */ [1, 0, 0, 0, 0, 0, 1, 1, 1],
];

/** Whether HAProxy has a cast from `from` to `to` (else "converter 'x' cannot be applied"). */
export function canCast(from: DeclaredType, to: DeclaredType): boolean {
  return MATRIX[ORDER.indexOf(from)]?.[ORDER.indexOf(to)] === 1;
}

/** The run-time type a declared one is carried as. */
export function runtimeType(type: DeclaredType): SampleType {
  switch (type) {
    case 'bool':
      return 'bool';
    case 'sint':
      return 'int';
    case 'addr':
    case 'ipv4':
    case 'ipv6':
      return 'ip';
    case 'bin':
      return 'bin';
    default:
      return 'str';
  }
}

/** The declared type of a run-time one (addresses as ipv4: HAProxy's "lowest common denominator"). */
export function declaredType(type: SampleOutputType): DeclaredType {
  switch (type) {
    case 'any':
      return 'any';
    case 'bool':
      return 'bool';
    case 'int':
      return 'sint';
    case 'ip':
      return 'ipv4';
    case 'bin':
      return 'bin';
    default:
      return 'str';
  }
}

const TWO_32 = 2 ** 32;
const TWO_63 = 2 ** 63;

/** An exact signed 64-bit integer as 8 big-endian bytes. */
function wideBytes(n: bigint): string {
  const b = BigInt.asUintN(64, n);
  const hi = Number(b >> 32n);
  const lo = Number(b & 0xffffffffn);
  return String.fromCharCode(hi >>> 24, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
}

/** A signed 64-bit integer as 8 big-endian bytes (one character per byte). */
export function int64Bytes(n: number): string {
  if (n >= TWO_63) return '\x7f\xff\xff\xff\xff\xff\xff\xff';
  if (n <= -TWO_63) return '\x80\x00\x00\x00\x00\x00\x00\x00';
  let hi: number;
  let lo: number;
  if (Number.isSafeInteger(n)) {
    hi = Math.floor(n / TWO_32) | 0;
    lo = (n - Math.floor(n / TWO_32) * TWO_32) >>> 0;
  } else {
    const b = BigInt.asUintN(64, BigInt(Math.trunc(n)));
    hi = Number(b >> 32n) | 0;
    lo = Number(b & 0xffffffffn) >>> 0;
  }
  return String.fromCharCode((hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
}

function isIpv6Text(text: string): boolean {
  return text.includes(':');
}

function words6Bytes(words: readonly number[]): string {
  let out = '';
  for (const w of words) out += String.fromCharCode((w >>> 24) & 0xff, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff);
  return out;
}

/** An address sample as its 4 or 16 network-order bytes (c_addr2bin). */
export function addressBytes(text: string): string | undefined {
  if (!isIpv6Text(text)) {
    const v4 = parseIpv4(text);
    return v4 < 0 ? undefined : words6Bytes([v4]);
  }
  const words = parseAddress(text);
  return words === undefined ? undefined : words6Bytes(words);
}

function toIpv4(s: Sample): boolean {
  if (!isIpv6Text(s.str)) return true;
  const words = parseAddress(s.str);
  const v4 = words === undefined ? -1 : v6ToV4(words);
  if (v4 < 0) return false;
  s.str = formatIpv4(v4);
  return true;
}

function toIpv6(s: Sample): boolean {
  if (isIpv6Text(s.str)) return true;
  const v4 = parseIpv4(s.str);
  if (v4 < 0) return false;
  s.str = formatIpv6(v4ToV6(v4));
  return true;
}

/** c_str2addr (to 'addr'), c_str2ip ('ipv4'), c_str2ipv6 ('ipv6'). */
function strToAddress(s: Sample, to: 'addr' | 'ipv4' | 'ipv6'): boolean {
  if (to !== 'ipv6') {
    const v4 = bufToIpv4(s.str);
    if (v4 >= 0) return s.setIp(formatIpv4(v4));
    if (to === 'ipv4') return false;
  }
  // buf2ip6 refuses texts longer than INET6_ADDRSTRLEN.
  const words = s.str.length > 46 ? undefined : inetPton6(s.str);
  return words === undefined ? false : s.setIp(formatIpv6(words));
}

/**
 * Casts `s` in place to what a converter declared as its input (HAProxy's sample_convert);
 * false when no cast exists or it fails (the sample is then absent).
 */
export function castSample(s: Sample, to: DeclaredType): boolean {
  switch (to) {
    case 'any':
      return true;
    case 'bool':
    case 'sint':
      switch (s.type) {
        case 'bool':
        case 'int':
          return true;
        case 'str':
          return s.str.length === 0 ? false : s.setInt(readInt64(s.str));
        case 'ip': {
          if (isIpv6Text(s.str)) return false;
          const v4 = parseIpv4(s.str);
          return v4 < 0 ? false : s.setInt(v4);
        }
        default:
          return false;
      }
    case 'addr':
    case 'ipv4':
    case 'ipv6':
      switch (s.type) {
        case 'int': {
          const v4 = Number(BigInt.asUintN(32, BigInt(Math.trunc(s.num))));
          return s.setIp(to === 'ipv6' ? formatIpv6(v4ToV6(v4)) : formatIpv4(v4));
        }
        case 'ip':
          return to === 'addr' ? true : to === 'ipv4' ? toIpv4(s) : toIpv6(s);
        case 'str':
          return strToAddress(s, to);
        default:
          return false;
      }
    case 'str':
    case 'meth':
      switch (s.type) {
        case 'bool':
        case 'int':
          return to === 'meth' ? false : s.setStr(integerText(s));
        case 'ip':
          if (to === 'meth') return false;
          s.type = 'str';
          return true;
        case 'bin': {
          const nul = s.str.indexOf('\0');
          return s.setStr(nul < 0 || to === 'meth' ? s.str : s.str.slice(0, nul));
        }
        default:
          return true;
      }
    case 'bin':
      switch (s.type) {
        case 'bool':
          return s.setBin(int64Bytes(s.num === 0 ? 0 : 1));
        case 'int':
          return s.setBin(s.wide !== undefined ? wideBytes(s.wide) : int64Bytes(s.num));
        case 'ip': {
          const bytes = addressBytes(s.str);
          return bytes === undefined ? false : s.setBin(bytes);
        }
        default:
          return true;
      }
  }
}
