/**
 * The `Authorization` request header as HAProxy 2.6 reads it (http_fetch.c get_http_auth, with
 * base64.c base64dec), quirks included:
 *
 * - the scheme is the text before the first space (none, or a leading space: no credentials),
 *   then every space is skipped;
 * - the scheme matches when it is a case-insensitive prefix of "Basic" (so `B` and `bas` are
 *   Basic) or else of "Bearer";
 * - Basic credentials are base64 of length a multiple of 4, padding only at the end of a
 *   group of four (groups after a padded one still decode), read as a C string: cut at the
 *   first NUL byte, then split at the first ':' (none: no credentials).
 */

export type AuthorizationScheme = 'Basic' | 'Bearer';

/** What one Authorization value holds; `user`/`password` are latin1 strings of the bytes. */
export type Authorization =
  | { readonly scheme: 'Basic'; readonly user: string; readonly password: string }
  | { readonly scheme: 'Bearer'; readonly token: string };

/** base64rev: the value of each character from '+' to 'z' (64 = '=', -1 = invalid). */
const REVERSE = new Int8Array(0x7b - 0x2b).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (REVERSE[c.charCodeAt(0) - 0x2b] = i));
REVERSE[0x3d - 0x2b] = 64;
const PAD = 64;

/** HAProxy's base64dec into a latin1 string, undefined where it fails. */
export function decodeBase64(text: string): string | undefined {
  if (text.length % 4 !== 0) return undefined;
  let out = '';
  let pad = 0;
  let i = 0;
  let t0 = 0;
  let t1 = 0;
  let t2 = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k) - 0x2b;
    const b = c >= 0 && c < REVERSE.length ? REVERSE[c]! : -1;
    if (b < 0) return undefined;
    if (pad > 0 && b !== PAD) return undefined;
    if (pad > 0 && i < 2) return undefined;
    if (b === PAD) pad++;
    if (i === 0) t0 = b;
    else if (i === 1) t1 = b;
    else if (i === 2) t2 = b;
    if (++i < 4) continue;
    // Only the bytes before the padding count: they never read a pad's value.
    const bytes = 3 - pad;
    if (bytes > 0) out += String.fromCharCode(((t0 << 2) | (t1 >> 4)) & 0xff);
    if (bytes > 1) out += String.fromCharCode(((t1 << 4) | (t2 >> 2)) & 0xff);
    if (bytes > 2) out += String.fromCharCode(((t2 << 6) | b) & 0xff);
    pad = 0;
    i = 0;
  }
  return out;
}

function isPrefixIgnoringCase(word: string, of: string): boolean {
  return word.length <= of.length && of.slice(0, word.length).toLowerCase() === word.toLowerCase();
}

/** Reads one Authorization value; undefined when it holds no usable credentials. */
export function parseAuthorization(value: string): Authorization | undefined {
  const space = value.indexOf(' ');
  if (space <= 0) return undefined;
  const scheme = value.slice(0, space);
  let p = space;
  while (value.charCodeAt(p) === 0x20) p++;
  const data = value.slice(p);
  if (isPrefixIgnoringCase(scheme, 'Basic')) {
    const decoded = decodeBase64(data);
    if (decoded === undefined) return undefined;
    const nul = decoded.indexOf('\0');
    const text = nul < 0 ? decoded : decoded.slice(0, nul);
    const colon = text.indexOf(':');
    if (colon < 0) return undefined;
    return { scheme: 'Basic', user: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (isPrefixIgnoringCase(scheme, 'Bearer')) return { scheme: 'Bearer', token: data };
  return undefined;
}
