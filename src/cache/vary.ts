/**
 * HAProxy 2.6's `Vary` support (cache.c, `process-vary on`): a response may vary on
 * Accept-Encoding and Referer only. The secondary key of a request holds one 32-bit part per
 * such header: for Accept-Encoding a bitmap of the accepted encodings (normalised, so that
 * "gzip, br" and "br,gzip" share an entry), for Referer the CRC-32 of its first value. The
 * stored entry keeps, in its Accept-Encoding part, the bitmap of its own Content-Encoding: a
 * request may use it when it accepts every encoding of that bitmap.
 */
import { hashCrc32 } from '../balance/hash-functions.ts';
import type { HeaderReader } from './header-reader.ts';

/** Bits of a vary signature (HAProxy's vary_header_bit). */
export const VaryHeader = { acceptEncoding: 1, referer: 2 } as const;
const ALL_HEADERS = VaryHeader.acceptEncoding | VaryHeader.referer;

const Encoding = {
  gzip: 1 << 0,
  deflate: 1 << 1,
  br: 1 << 2,
  compress: 1 << 3,
  aes128gcm: 1 << 4,
  exi: 1 << 5,
  pack200gzip: 1 << 6,
  zstd: 1 << 7,
  identity: 1 << 8,
  star: 1 << 9,
  other: 1 << 10,
} as const;

/** Known encodings by first character (HAProxy's parse_encoding_value switch). */
const ENCODINGS: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  a: [['aes128gcm', Encoding.aes128gcm]],
  b: [['br', Encoding.br]],
  c: [['compress', Encoding.compress]],
  d: [['deflate', Encoding.deflate]],
  e: [['exi', Encoding.exi]],
  g: [['gzip', Encoding.gzip]],
  i: [['identity', Encoding.identity]],
  p: [['pack200-gzip', Encoding.pack200gzip]],
  x: [['x-gzip', Encoding.gzip], ['x-compress', Encoding.compress]],
  z: [['zstd', Encoding.zstd]],
};

/** A secondary key: one part per header of VaryHeader, in that order (HTTP_CACHE_SEC_KEY_LEN / 4). */
export type SecondaryKey = [acceptEncoding: number, referer: number];

function trimLeading(s: string, from: number): number {
  while (from < s.length && (s[from] === ' ' || s[from] === '\t')) from++;
  return from;
}

/**
 * HAProxy's parse_encoding_value on one element ("gzip;q=0.5"): its bit (0 for a name that only
 * starts like a known one, as HAProxy's prefix match leaves it) and whether its weight is
 * exactly `q=0`; undefined for an unknown first letter or junk after a known name.
 */
function parseEncoding(element: string): { bit: number; rejected: boolean } | undefined {
  if (element.length === 0) return undefined;
  const first = element[0] as string;
  let bit = 0;
  let at = 1;
  if (first === '*') {
    bit = Encoding.star;
  } else {
    const candidates = ENCODINGS[first];
    if (candidates === undefined) return undefined;
    for (const [name, value] of candidates) {
      if (element.startsWith(name)) {
        bit = value;
        at = name.length;
        break;
      }
    }
  }
  if (bit === 0) return { bit, rejected: false };
  at = trimLeading(element, at);
  if (at === element.length) return { bit, rejected: false };
  if (element[at] !== ';') return undefined;
  return { bit, rejected: element.slice(trimLeading(element, at + 1)) === 'q=0' };
}

const MAX_ACCEPT_ENCODINGS = 16;

/** The Accept-Encoding bitmap of a request (accept_encoding_normalizer); undefined when it has 16 values or more. */
export function acceptEncodingBitmap(req: HeaderReader): number | undefined {
  let bitmap = Encoding.identity;
  let rejected = ~0;
  let count = 0;
  for (const value of req.values('accept-encoding', true)) {
    if (count >= MAX_ACCEPT_ENCODINGS) break;
    count++;
    if (value.length === 0) continue;
    const parsed = parseEncoding(value.toLowerCase());
    if (parsed === undefined) bitmap |= Encoding.other;
    else if (parsed.rejected) rejected &= ~parsed.bit;
    else bitmap |= parsed.bit;
  }
  if (bitmap & Encoding.star) bitmap = ~0;
  bitmap &= rejected;
  // RFC 7231 §5.3.4: no Accept-Encoding at all accepts any coding.
  if (count === 0) bitmap = ~0;
  if (count === MAX_ACCEPT_ENCODINGS) return undefined;
  return bitmap >>> 0;
}

const encoder = new TextEncoder();

/** The Referer part: CRC-32 of the first Referer line (default_normalizer), 0 without one. */
function refererHash(req: HeaderReader): number {
  const value = req.first('referer');
  if (value === undefined) return 0;
  const bytes = encoder.encode(value);
  return hashCrc32(bytes, 0, bytes.length) >>> 0;
}

/**
 * The request's secondary key for the headers of `signature` (http_request_build_secondary_key):
 * the other parts are 0; undefined when it cannot be built (too many Accept-Encoding values).
 */
export function secondaryKey(req: HeaderReader, signature: number = ALL_HEADERS): SecondaryKey | undefined {
  let ae = 0;
  if (signature & VaryHeader.acceptEncoding) {
    const bitmap = acceptEncodingBitmap(req);
    if (bitmap === undefined) return undefined;
    ae = bitmap;
  }
  return [ae, signature & VaryHeader.referer ? refererHash(req) : 0];
}

/** Keeps the parts of a prebuilt key that `signature` names (http_request_reduce_secondary_key). */
export function reduceKey(key: SecondaryKey, signature: number): SecondaryKey {
  return [signature & VaryHeader.acceptEncoding ? key[0] : 0, signature & VaryHeader.referer ? key[1] : 0];
}

/**
 * The response's Vary signature (http_check_vary_header), or undefined when it varies on a
 * header the cache cannot key on (it is then not stored).
 */
export function varySignature(res: HeaderReader): number | undefined {
  let signature = 0;
  for (const value of res.values('vary', true)) {
    const name = value.toLowerCase();
    if (name === 'accept-encoding') signature |= VaryHeader.acceptEncoding;
    else if (name === 'referer') signature |= VaryHeader.referer;
    else return undefined;
  }
  return signature;
}

/** The bitmap of the response's Content-Encoding (set_secondary_key_encoding); undefined for an unknown coding. */
export function responseEncodingBitmap(res: HeaderReader): number | undefined {
  let bitmap = 0;
  for (const value of res.values('content-encoding', true)) {
    const parsed = parseEncoding(value);
    if (parsed === undefined) return undefined;
    bitmap |= parsed.bit;
  }
  return (bitmap === 0 ? Encoding.identity : bitmap) >>> 0;
}

/** Whether a request's key may use a stored entry's key (secondary_key_cmp, true when alike). */
export function keysMatch(stored: SecondaryKey, request: SecondaryKey): boolean {
  const ref = stored[0];
  if (ref & Encoding.other) return false;
  if (((ref & request[0]) >>> 0) !== ref >>> 0) return false;
  return stored[1] === request[1];
}
