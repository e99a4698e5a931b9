/**
 * MD5-crypt, `$1$` (Poul-Henning Kamp's FreeBSD algorithm, as glibc and libxcrypt implement
 * it): 1000 rounds of MD5, the salt ends at `$` (or the end) and is cut to 8 characters.
 */
import { encodeDigest } from './crypt-base64.ts';
import { Md5 } from './digest.ts';

const MAGIC = new TextEncoder().encode('$1$');
const SALT_MAX = 8;
const md5 = new Md5();
const encoder = new TextEncoder();
// prettier-ignore
const ORDER = [0, 6, 12, 1, 7, 13, 2, 8, 14, 3, 9, 15, 4, 10, 5];

/** The salt of a `$1$` setting or stored hash; undefined when libxcrypt refuses it. */
export function parseMd5Setting(setting: string): string | undefined {
  if (!setting.startsWith('$1$')) return undefined;
  const rest = setting.slice(3);
  let end = 0;
  while (end < rest.length && rest[end] !== '$' && rest[end] !== ':' && rest[end] !== '\n') end++;
  if (end < rest.length && rest[end] !== '$') return undefined;
  return rest.slice(0, Math.min(end, SALT_MAX));
}

/** crypt(password, `$1$SALT`): the full hash string. */
export function md5Crypt(password: Uint8Array, saltText: string): string {
  const salt = encoder.encode(saltText);
  const p = password;

  const alt = new Uint8Array(16);
  md5.update(p);
  md5.update(salt);
  md5.update(p);
  md5.finish(alt);

  md5.update(p);
  md5.update(MAGIC);
  md5.update(salt);
  for (let left = p.length; left > 0; left -= 16) md5.update(alt, 0, Math.min(left, 16));
  // The original code hashes the first byte of a zeroed buffer, or of the password, per bit.
  const zero = new Uint8Array(1);
  for (let i = p.length; i > 0; i >>>= 1) md5.update((i & 1) !== 0 ? zero : p, 0, 1);
  const f = new Uint8Array(16);
  md5.finish(f);

  for (let i = 0; i < 1000; i++) {
    const odd = (i & 1) !== 0;
    if (odd) md5.update(p);
    else md5.update(f);
    if (i % 3 !== 0) md5.update(salt);
    if (i % 7 !== 0) md5.update(p);
    if (odd) md5.update(f);
    else md5.update(p);
    md5.finish(f);
  }
  return `$1$${saltText}$${encodeDigest(f, ORDER, [11])}`;
}
