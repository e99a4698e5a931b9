/**
 * Typed samples (HAProxy's struct sample): what a fetch produces and converters, ACL matchers
 * and log-format values consume. One mutable Sample is reused per evaluation, so reading a
 * boolean or an integer allocates nothing; strings are JS strings (header values are latin1:
 * one character per received byte).
 */

/** HAProxy's sample types, minus binary (no fetch here produces one yet). */
export type SampleType = 'bool' | 'int' | 'str' | 'ip';

/**
 * What a fetch or converter declares it produces: a sample type, or 'any' when only the run
 * tells (a variable keeps the type it was stored with). An ACL on an 'any' sample needs `-m`.
 */
export type SampleOutputType = SampleType | 'any';

export class Sample {
  type: SampleType = 'str';
  /** Text of 'str' and 'ip' samples (an address as text, e.g. "192.0.2.1" or "2001:db8::1"). */
  str = '';
  /** Value of 'int' samples; 1/0 for 'bool'. */
  num = 0;

  setStr(value: string): true {
    this.type = 'str';
    this.str = value;
    return true;
  }

  setInt(value: number): true {
    this.type = 'int';
    this.num = value;
    return true;
  }

  setBool(value: boolean): true {
    this.type = 'bool';
    this.num = value ? 1 : 0;
    return true;
  }

  setIp(address: string): true {
    this.type = 'ip';
    this.str = address;
    return true;
  }
}

/** The sample as text, as HAProxy casts it to a string (booleans are "1"/"0"). */
export function sampleText(s: Sample): string {
  return s.type === 'str' || s.type === 'ip' ? s.str : String(s.num);
}

/**
 * The sample as an integer (HAProxy's c_str2int: leading decimal digits, optionally signed;
 * undefined when a string does not start with one, or for an address).
 */
export function sampleInt(s: Sample): number | undefined {
  if (s.type === 'int' || s.type === 'bool') return s.num;
  if (s.type === 'ip') return undefined;
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
