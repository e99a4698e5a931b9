/**
 * The dates HAProxy stores in a persistence cookie with `maxidle`/`maxlife`
 * (`NAME=VALUE|LASTSEEN|FIRSTSEEN`): a UNIX time in 4-second units, 30 bits, written as five
 * unpadded base64 characters, most significant first (HAProxy's s30tob64/b64tos30), so that
 * cookies issued by HAProxy and by Switchyard are interchangeable.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const REVERSE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Five characters encoding the low 30 bits of `value`. */
export function s30tob64(value: number): string {
  let out = '';
  for (let shift = 24; shift >= 0; shift -= 6) out += ALPHABET[(value >>> shift) & 0x3f];
  return out;
}

/** The 30-bit value of the five characters at text[start..], or -1 when one is not base64. */
export function b64tos30(text: string, start = 0): number {
  if (text.length - start < 5) return -1;
  let value = 0;
  for (let i = start; i < start + 5; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? (REVERSE[c] as number) : -1;
    if (d < 0) return -1;
    value = value * 64 + d;
  }
  return value;
}

/** A cookie date for `seconds` (UNIX time), rounded up to the next 4-second unit as HAProxy does. */
export function encodeCookieDate(seconds: number): string {
  return s30tob64(Math.floor((seconds + 3) / 4));
}

/** UNIX seconds of a cookie date at text[start..], or 0 when absent or invalid (HAProxy ignores it). */
export function decodeCookieDate(text: string, start: number): number {
  const units = b64tos30(text, start);
  return units > 0 ? units * 4 : 0;
}
