/**
 * SHA-crypt, `$5$` (SHA-256) and `$6$` (SHA-512): Ulrich Drepper's "Unix crypt using SHA-256
 * and SHA-512" (the specification glibc and libxcrypt implement), with libxcrypt's checks on the
 * setting, since that is the crypt(3) HAProxy calls on Debian: `rounds=N$` only with 1000 <= N
 * <= 999999999 and no leading zero, the salt ends at `$` (or the end) and is cut to 16
 * characters.
 */
import { encodeDigest } from './crypt-base64.ts';
import { Sha256, Sha512, type Digest } from './digest.ts';

const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;
const SALT_MAX = 16;

interface Variant {
  readonly prefix: string;
  readonly digest: Digest;
  readonly triples: readonly number[];
  readonly tail: readonly number[];
}

// prettier-ignore
const SHA256_ORDER = [0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29];
// prettier-ignore
const SHA512_ORDER = [
  0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10,
  53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41,
];

/** One hasher per variant, reused (verification is synchronous: nothing interleaves). */
const VARIANTS: Readonly<Record<'5' | '6', Variant>> = {
  '5': { prefix: '$5$', digest: new Sha256(), triples: SHA256_ORDER, tail: [31, 30] },
  '6': { prefix: '$6$', digest: new Sha512(), triples: SHA512_ORDER, tail: [63] },
};

const encoder = new TextEncoder();

/** A parsed `$5$` / `$6$` setting. */
export interface ShaSetting {
  readonly variant: Variant;
  readonly rounds: number;
  /** `rounds=N$` was written (it is then repeated in the result). */
  readonly customRounds: boolean;
  readonly salt: string;
}

/**
 * Parses a setting starting with `$5$` or `$6$` (a whole stored hash works: its hash part is
 * ignored); undefined when libxcrypt refuses it.
 */
export function parseShaSetting(setting: string): ShaSetting | undefined {
  const variant = setting.startsWith('$5$') ? VARIANTS['5'] : setting.startsWith('$6$') ? VARIANTS['6'] : undefined;
  if (variant === undefined) return undefined;
  let rest = setting.slice(3);
  let rounds = ROUNDS_DEFAULT;
  let customRounds = false;
  if (rest.startsWith('rounds=')) {
    const m = /^rounds=([1-9][0-9]*)\$/.exec(rest);
    if (m === null) return undefined;
    rounds = Number(m[1]);
    if (rounds < ROUNDS_MIN || rounds > ROUNDS_MAX) return undefined;
    customRounds = true;
    rest = rest.slice(m[0].length);
  }
  let end = 0;
  while (end < rest.length && rest[end] !== '$' && rest[end] !== ':' && rest[end] !== '\n') end++;
  if (end < rest.length && rest[end] !== '$') return undefined;
  return { variant, rounds, customRounds, salt: rest.slice(0, Math.min(end, SALT_MAX)) };
}

/** crypt(password, setting): the full hash string. */
export function shaCrypt(password: Uint8Array, setting: ShaSetting): string {
  const { variant, rounds, salt } = setting;
  const hash = compute(variant.digest, password, encoder.encode(salt), rounds);
  return `${variant.prefix}${setting.customRounds ? `rounds=${rounds}$` : ''}${salt}$${encodeDigest(hash, variant.triples, variant.tail)}`;
}

/** Steps 1-21 of the specification; returns the final digest C. */
function compute(h: Digest, p: Uint8Array, s: Uint8Array, rounds: number): Uint8Array {
  const n = h.size;
  const plen = p.length;
  const b = new Uint8Array(n);
  h.update(p);
  h.update(s);
  h.update(p);
  h.finish(b);

  const a = new Uint8Array(n);
  h.update(p);
  h.update(s);
  let cnt = plen;
  for (; cnt > n; cnt -= n) h.update(b);
  h.update(b, 0, cnt);
  for (cnt = plen; cnt > 0; cnt >>>= 1) h.update((cnt & 1) !== 0 ? b : p);
  h.finish(a);

  // P sequence: the digest of the password repeated, cut to the password's length.
  const dp = new Uint8Array(n);
  for (let i = 0; i < plen; i++) h.update(p);
  h.finish(dp);
  const pseq = new Uint8Array(plen);
  for (let i = 0; i < plen; i += n) pseq.set(dp.subarray(0, Math.min(n, plen - i)), i);

  // S sequence: the digest of the salt repeated 16 + A[0] times, cut to the salt's length.
  const ds = new Uint8Array(n);
  for (let i = 16 + a[0]!; i > 0; i--) h.update(s);
  h.finish(ds);
  const sseq = ds.subarray(0, s.length);

  const c = a;
  for (let r = 0; r < rounds; r++) {
    const odd = (r & 1) !== 0;
    h.update(odd ? pseq : c);
    if (r % 3 !== 0) h.update(sseq);
    if (r % 7 !== 0) h.update(pseq);
    h.update(odd ? c : pseq);
    h.finish(c);
  }
  return c;
}
