/**
 * Whether a shared cache could keep a response, as HAProxy 2.6 decides it for `cookie ...
 * nocache` and `option checkcache` (http_ana.c: TX_CACHEABLE and TX_CACHE_COOK, from the request
 * method, the status, then http_check_response_for_cacheability). Checked against HAProxy
 * 2.6.12, which also requires freshness information or a validator: a response with neither is
 * not cacheable.
 */
import { headerName, type HeadEditor, type HeaderName, type RequestHead, type ResponseHead } from './codec/index.ts';

const H_CACHE_CONTROL = headerName('cache-control');
const H_PRAGMA = headerName('pragma');
const H_EXPIRES = headerName('expires');
const H_ETAG = headerName('etag');
const H_LAST_MODIFIED = headerName('last-modified');
const H_SET_COOKIE = headerName('set-cookie');
const H_SET_COOKIE2 = headerName('set-cookie2');

/** RFC 7231 §6.1's statuses cacheable by default (http_wait_for_response keeps TX_CACHEABLE for these). */
const CACHEABLE_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);
const NOT_CACHEABLE = ['private', 'no-cache', 'no-store', 'max-age=0', 's-maxage=0'];

export const Cacheability = {
  /** A cache may not keep it. */
  none: 0,
  /** A cache may keep it, but not its cookies (`Cache-Control: no-cache="set-cookie"`). */
  withoutCookies: 1,
  /** A cache may keep it with its cookies (TX_CACHEABLE and TX_CACHE_COOK). */
  withCookies: 2,
} as const;
export type Cacheability = (typeof Cacheability)[keyof typeof Cacheability];

export function responseCacheability(req: RequestHead, res: ResponseHead): Cacheability {
  if (res.status < 200) return Cacheability.none;
  const m = req.method;
  let cacheable = (m === 'GET' || m === 'HEAD' || m === 'OPTIONS' || m === 'TRACE') && CACHEABLE_STATUSES.has(res.status);
  let cookies = cacheable;
  // The first Pragma header, whole (http_find_header's full form).
  const pragma = res.get(H_PRAGMA);
  if (pragma !== undefined && pragma.trim().toLowerCase() === 'no-cache') return Cacheability.none;
  let freshness = false;
  for (let i = res.indexOf(H_CACHE_CONTROL); i >= 0; i = res.indexOf(H_CACHE_CONTROL, i + 1)) {
    // HAProxy walks the comma-separated values, quotes or not.
    for (const raw of res.valueAt(i).split(',')) {
      const d = raw.trim().toLowerCase();
      if (d === 'public') cacheable = cookies = true;
      else if (NOT_CACHEABLE.includes(d)) cacheable = cookies = false;
      else if (d.startsWith('no-cache="set-cookie')) cookies = false;
      else if (d.startsWith('s-maxage') || d.startsWith('max-age')) freshness = true;
    }
  }
  if (!cacheable) return Cacheability.none;
  if (!freshness && !res.has(H_EXPIRES) && !res.has(H_ETAG) && !res.has(H_LAST_MODIFIED)) return Cacheability.none;
  return cookies ? Cacheability.withCookies : Cacheability.withoutCookies;
}

/** Whether the response, as the rules left it, sets a cookie (HAProxy's TX_SCK_PRESENT: Set-Cookie or Set-Cookie2). */
export function setsCookie(res: ResponseHead, editor: HeadEditor): boolean {
  return present(res, editor, H_SET_COOKIE) || present(res, editor, H_SET_COOKIE2);
}

function present(res: ResponseHead, editor: HeadEditor, name: HeaderName): boolean {
  for (let i = res.indexOf(name); i >= 0; i = res.indexOf(name, i + 1)) if (!editor.isRemoved(i)) return true;
  for (let j = 0; j < editor.appendedCount; j++) if (editor.appendedName(j).name.toLowerCase() === name.name) return true;
  return false;
}
