/**
 * Conditional requests answered from the cache (cache.c's should_send_notmodified_response):
 * an `If-None-Match` listing the entry's ETag (weak comparison) or `*`, else an
 * `If-Modified-Since` not older than the entry's last modification, gets a 304.
 */
import type { HeaderReader } from './header-reader.ts';
import { parseHttpDate } from './http-date.ts';

/** The opaque part of an entity tag, strong or weak (W/), or undefined when it is not one (http_get_etag_type). */
function opaqueTag(tag: string): string | undefined {
  const t = tag.startsWith('W/') ? tag.slice(2) : tag;
  if (t.length < 2 || t[0] !== '"' || t[t.length - 1] !== '"') return undefined;
  return t;
}

/** HAProxy's http_compare_etags: both valid, equal once weakness is dropped. */
export function etagsMatch(a: string, b: string): boolean {
  const x = opaqueTag(a);
  return x !== undefined && x === opaqueTag(b);
}

export function notModified(req: HeaderReader, etag: string | undefined, lastModified: number): boolean {
  const tags = req.values('if-none-match', true);
  if (tags.length > 0) {
    for (const tag of tags) {
      if (tag === '*') return true;
      if (etag === undefined) return false;
      if (etagsMatch(etag, tag)) return true;
    }
    return false;
  }
  const since = req.first('if-modified-since');
  if (since === undefined) return false;
  const date = parseHttpDate(since);
  return date !== undefined && lastModified <= date;
}
