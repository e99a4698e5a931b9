/**
 * Typed samples (HAProxy's struct sample): what a fetch produces and converters, ACL matchers
 * and log-format values consume. One mutable Sample is reused per evaluation, so reading a
 * boolean or an integer allocates nothing; strings are JS strings (header values are latin1:
 * one character per received byte), and so are binary samples (one character per byte, 0-255),
 * which makes the casts between them free.
 *
 * Integers are HAProxy's signed 64-bit ones held in a double: exact within ±2^53, and the
 * saturated values HAProxy's arithmetic produces (±2^63) print as HAProxy prints them. A 64-bit
 * hash (`xxh64`, `xxh3`) also keeps its exact value in `wide`, so that it prints and casts to
 * bytes as HAProxy's does; arithmetic on it works on the double.
 */

/** HAProxy's sample types at run time (ipv4/ipv6 share 'ip', the text telling them apart). */
export type SampleType = 'bool' | 'int' | 'str' | 'ip' | 'bin';

/**
 * What a fetch or converter declares it produces: a sample type, or 'any' when only the run
 * tells (a variable keeps the type it was stored with). An ACL on an 'any' sample needs `-m`.
 */
export type SampleOutputType = SampleType | 'any';

export class Sample {
  type: SampleType = 'str';
  /** Text of 'str' and 'ip' samples (an address as text, e.g. "192.0.2.1" or "2001:db8::1"); bytes of 'bin' ones. */
  str = '';
  /** Value of 'int' samples; 1/0 for 'bool' (a boolean an arithmetic converter changed may hold any integer, as in HAProxy). */
  num = 0;
  /**
   * The exact value of an 'int' sample beyond ±2^53 set by setInt64 (num holds it rounded);
   * undefined otherwise. Whoever writes `num` directly clears it.
   */
  wide: bigint | undefined = undefined;

  setStr(value: string): true {
    this.type = 'str';
    this.str = value;
    return true;
  }

  setInt(value: number): true {
    this.type = 'int';
    this.num = value;
    this.wide = undefined;
    return true;
  }

  /** A signed 64-bit integer given exactly (a 64-bit hash). */
  setInt64(value: bigint): true {
    this.type = 'int';
    this.num = Number(value);
    this.wide = Number.isSafeInteger(this.num) ? undefined : value;
    return true;
  }

  setBool(value: boolean): true {
    this.type = 'bool';
    this.num = value ? 1 : 0;
    this.wide = undefined;
    return true;
  }

  setIp(address: string): true {
    this.type = 'ip';
    this.str = address;
    return true;
  }

  /** Binary data, one character per byte (0-255). */
  setBin(bytes: string): true {
    this.type = 'bin';
    this.str = bytes;
    return true;
  }
}

const INT64_MAX_TEXT = '9223372036854775807';
const INT64_MIN_TEXT = '-9223372036854775808';
const TWO_63 = 2 ** 63;

/** An integer sample as HAProxy prints it (lltoa): saturated values as INT64 bounds, never in exponent form. */
export function intText(n: number): string {
  if (Number.isSafeInteger(n)) return String(n);
  if (n >= TWO_63) return INT64_MAX_TEXT;
  if (n <= -TWO_63) return INT64_MIN_TEXT;
  return BigInt(Math.trunc(n)).toString();
}

/**
 * The sample as text, as HAProxy casts it to a string: booleans are "1"/"0" (or the integer an
 * arithmetic converter left), binary data stops at its first NUL byte (c_bin2str).
 */
export function sampleText(s: Sample): string {
  switch (s.type) {
    case 'str':
    case 'ip':
      return s.str;
    case 'bin': {
      const nul = s.str.indexOf('\0');
      return nul < 0 ? s.str : s.str.slice(0, nul);
    }
    default:
      return integerText(s);
  }
}

/** An 'int' or 'bool' sample's number as text, exactly when it carries a 64-bit value. */
export function integerText(s: Sample): string {
  return s.wide !== undefined && s.type === 'int' ? s.wide.toString() : intText(s.num);
}

/**
 * The sample as an integer (HAProxy's c_str2int: leading decimal digits, optionally signed;
 * undefined when a string does not start with one, or for an address or binary data).
 */
export function sampleInt(s: Sample): number | undefined {
  if (s.type === 'int' || s.type === 'bool') return s.num;
  if (s.type === 'ip' || s.type === 'bin') return undefined;
  return leadingInteger(s.str);
}

/** HAProxy's read_int-like cast: optional sign then digits, the rest ignored; undefined without digits. */
export function leadingInteger(text: string): number | undefined {
  let i = 0;
  let sign = 1;
  const c0 = text.charCodeAt(0);
  if (c0 === 0x2d /* - */ || c0 === 0x2b /* + */) {
    if (c0 === 0x2d) sign = -1;
    i = 1;
  }
  const start = i;
  let value = 0;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  return i === start ? undefined : sign * value;
}

/**
 * HAProxy's read_int64: optional sign, then decimal digits up to the first other character
 * (none reads as 0), saturated to the signed 64-bit range. `end` receives where it stopped.
 */
export function readInt64(text: string, from = 0, end: { at: number } | undefined = undefined): number {
  let i = from;
  let negative = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 0x2d /* - */) {
    negative = true;
    i++;
  } else if (c0 === 0x2b /* + */) {
    i++;
  }
  let value = 0;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    if (value < TWO_63) value = value * 10 + d;
  }
  if (end !== undefined) end.at = i;
  // 0 - value: never a negative zero.
  if (negative) return value >= TWO_63 ? -TWO_63 : 0 - value;
  return value >= TWO_63 ? TWO_63 : value;
}
