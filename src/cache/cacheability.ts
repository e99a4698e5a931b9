/**
 * HAProxy 2.6's cacheability rules (http_ana.c's http_check_request_for_cacheability and
 * http_check_response_for_cacheability, cache.c's http_calc_maxage), as transaction flags.
 */
import type { HeaderReader } from './header-reader.ts';
import { parseHttpDate } from './http-date.ts';

/** HAProxy's TX_CACHEABLE, TX_CACHE_COOK and TX_CACHE_IGNORE. */
export const CacheFlag = {
  cacheable: 1,
  cookie: 2,
  ignore: 4,
} as const;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

function startsWithCaseless(value: string, prefix: string): boolean {
  return value.length >= prefix.length && value.slice(0, prefix.length).toLowerCase() === prefix;
}

/** The flags HAProxy's request analyser sets: a safe method may be cached. */
export function methodFlags(method: string): number {
  return SAFE_METHODS.has(method) ? CacheFlag.cacheable | CacheFlag.cookie : 0;
}

/** `Pragma`, `Authorization` and `Cache-Control` of a request (http_check_request_for_cacheability). */
export function requestCacheability(flags: number, req: HeaderReader): number {
  if ((flags & (CacheFlag.cacheable | CacheFlag.ignore)) === CacheFlag.ignore) return flags;
  const pragma = req.first('pragma');
  const pragmaNoCache = pragma !== undefined && pragma.toLowerCase() === 'no-cache';
  if (req.first('authorization') !== undefined) {
    flags &= ~(CacheFlag.cacheable | CacheFlag.cookie);
    flags |= CacheFlag.ignore;
  }
  const directives = req.values('cache-control', true);
  for (const d of directives) {
    // The values after max-age, max-stale or min-fresh are not checked: the cache is not used.
    if (startsWithCaseless(d, 'max-age') || startsWithCaseless(d, 'no-cache') || startsWithCaseless(d, 'max-stale') || startsWithCaseless(d, 'min-fresh')) {
      flags |= CacheFlag.ignore;
    } else if (startsWithCaseless(d, 'no-store')) {
      flags &= ~(CacheFlag.cacheable | CacheFlag.cookie);
    }
  }
  // RFC 7234 §5.4: Pragma counts only without Cache-Control.
  if (directives.length === 0 && pragmaNoCache) flags |= CacheFlag.ignore;
  return flags;
}

/** The status codes cacheable by default (RFC 7231 §6.1), HAProxy's response analyser list. */
const HEURISTIC_STATUSES = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);

/** What the response says (http_check_response_for_cacheability, after the status check). */
export function responseCacheability(flags: number, status: number, res: HeaderReader): number {
  if (!HEURISTIC_STATUSES.has(status)) flags &= ~(CacheFlag.cacheable | CacheFlag.cookie);
  if (status < 200) return flags & ~(CacheFlag.cacheable | CacheFlag.cookie);
  const pragma = res.first('pragma');
  if (pragma !== undefined && pragma.toLowerCase() === 'no-cache') return flags & ~(CacheFlag.cacheable | CacheFlag.cookie);
  let fresh = false;
  for (const value of res.values('cache-control', true)) {
    const d = value.toLowerCase();
    if (d === 'public') {
      flags |= CacheFlag.cacheable | CacheFlag.cookie;
    } else if (d === 'private' || d === 'no-cache' || d === 'no-store' || d === 'max-age=0' || d === 's-maxage=0') {
      flags &= ~(CacheFlag.cacheable | CacheFlag.cookie);
    } else if (d.startsWith('no-cache="set-cookie')) {
      flags &= ~CacheFlag.cookie;
    } else if (d.startsWith('s-maxage') || d.startsWith('max-age')) {
      fresh = true;
    }
  }
  if (!fresh) fresh = res.values('expires', true).length > 0;
  // RFC 7234 §3: neither an explicit expiry nor a validator: not stored.
  if (!fresh && res.values('etag', true).length === 0 && res.values('last-modified', true).length === 0) flags |= CacheFlag.ignore;
  return flags;
}

/** `word=VALUE` of one Cache-Control element (HAProxy's directive_value): the text after `=`, else undefined. */
function directiveValue(element: string, word: string): string | undefined {
  if (element.length <= word.length || !startsWithCaseless(element, word) || element[word.length] !== '=') return undefined;
  return element.slice(word.length + 1);
}

/** strtol on a directive's value (an opening quote allowed); undefined when no digit starts it or it is negative. */
function directiveSeconds(value: string): number | undefined {
  const text = value.startsWith('"') ? value.slice(1) : value;
  const m = /^[ \t]*([+-]?\d+)/.exec(text);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return n < 0 ? undefined : n;
}

export interface MaxAge {
  /** How long the entry lives: the response's own age bound, capped by the cache's `max-age`. */
  readonly effective: number;
  /** The response's own bound (s-maxage, max-age or Expires - now), for the `Age` check. */
  readonly declared: number;
}

/** http_calc_maxage: undefined when a max-age value is unreadable (HAProxy returns -1: nothing lives). */
export function maxAgeOf(res: HeaderReader, cacheMaxAge: number, nowSeconds: number): MaxAge | undefined {
  let smaxage = -1;
  let maxage = -1;
  for (const element of res.values('cache-control', true)) {
    const s = directiveValue(element, 's-maxage');
    if (s !== undefined) {
      const n = directiveSeconds(s);
      if (n === undefined) return undefined;
      smaxage = n;
    }
    const m = directiveValue(element, 'max-age');
    if (m !== undefined) {
      const n = directiveSeconds(m);
      if (n === undefined) return undefined;
      maxage = n;
    }
  }
  let expires = -1;
  if (maxage === -1 && smaxage === -1) {
    const value = res.first('expires');
    if (value !== undefined) {
      const at = parseHttpDate(value);
      // RFC 7234 §5.3: an invalid date is a date in the past.
      expires = at === undefined ? 0 : at >= nowSeconds ? at - nowSeconds : 0;
    }
  }
  if (smaxage > 0) return { effective: Math.min(smaxage, cacheMaxAge), declared: smaxage };
  if (maxage > 0) return { effective: Math.min(maxage, cacheMaxAge), declared: maxage };
  if (expires >= 0) return { effective: Math.min(expires, cacheMaxAge), declared: expires };
  return { effective: cacheMaxAge, declared: 0 };
}

/** RFC 7234 §4.3.2: the date an If-Modified-Since is compared with: Last-Modified, else Date, else now. */
export function lastModifiedOf(res: HeaderReader, nowSeconds: number): number {
  const lm = res.first('last-modified');
  const parsed = lm === undefined ? undefined : parseHttpDate(lm);
  if (parsed !== undefined && parsed !== 0) return parsed;
  const date = res.first('date');
  const d = date === undefined ? undefined : parseHttpDate(date);
  if (d !== undefined && d !== 0) return d;
  return nowSeconds;
}
