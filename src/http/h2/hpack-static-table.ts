import { equalsLower } from '../codec/chars.ts';

/** HPACK's static table (RFC 7541 Appendix A): index i + 1 is STATIC_NAMES[i] / STATIC_VALUES[i]. */
const TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

export const STATIC_COUNT = TABLE.length;
export const STATIC_NAMES: readonly string[] = TABLE.map((e) => e[0]);
export const STATIC_VALUES: readonly string[] = TABLE.map((e) => e[1]);

/** Lowest static index (1-based) per name, for encoding a name by reference. */
const NAME_INDEX = new Map<string, number>();
/**
 * Static index per value, for the few names with valued entries (:method, :path, :scheme,
 * :status, accept-encoding): looked up by name first, so that encoding a field builds no key.
 */
const PAIR_INDEX = new Map<string, Map<string, number>>();
for (let i = TABLE.length - 1; i >= 0; i--) {
  const [name, value] = TABLE[i]!;
  NAME_INDEX.set(name, i + 1);
  if (value === '') continue;
  let values = PAIR_INDEX.get(name);
  if (values === undefined) PAIR_INDEX.set(name, (values = new Map()));
  values.set(value, i + 1);
}

/** The static table's regular field names (lowercase bytes) by length, to name a head's field without decoding it. */
const NAMES_BY_LENGTH: { bytes: Uint8Array; name: string }[][] = [];
for (const name of new Set(STATIC_NAMES)) {
  if (name.charCodeAt(0) === 0x3a /* : */) continue;
  const bytes = Uint8Array.from(name, (c) => c.charCodeAt(0));
  (NAMES_BY_LENGTH[name.length] ??= []).push({ bytes, name });
}

/**
 * The static table's name for the field name in raw[start, end), matched ASCII
 * case-insensitively, or undefined: the response fields most servers send (content-type,
 * content-length, date, server...) then cost no string of their own.
 */
export function staticNameOfBytes(raw: Uint8Array, start: number, end: number): string | undefined {
  const candidates = NAMES_BY_LENGTH[end - start];
  if (candidates === undefined) return undefined;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    if (equalsLower(raw, start, end, c.bytes)) return c.name;
  }
  return undefined;
}

/** The static index of this name, or 0. */
export function staticNameIndex(name: string): number {
  return NAME_INDEX.get(name) ?? 0;
}

/** The name has static entries with a value (:method, :path, :scheme, :status, accept-encoding). */
export function hasStaticValues(name: string): boolean {
  return PAIR_INDEX.has(name);
}

/** The static index of this exact pair (only pairs with a value are in the table), or 0. */
export function staticPairIndex(name: string, value: string): number {
  return PAIR_INDEX.get(name)?.get(value) ?? 0;
}

/** `:status` values with their own static entry: the common answers are one byte. */
export function staticStatusIndex(status: number): number {
  switch (status) {
    case 200: return 8;
    case 204: return 9;
    case 206: return 10;
    case 304: return 11;
    case 400: return 12;
    case 404: return 13;
    case 500: return 14;
    default: return 0;
  }
}
