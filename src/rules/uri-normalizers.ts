/**
 * HAProxy 2.6's URI normalizers (uri_normalizer.c), for `http-request normalize-uri`: pure
 * functions from a path (or query) to its normalized form. `undefined` is HAProxy's
 * URI_NORMALIZER_ERR_INVALID_INPUT (a `strict` normalizer met a `%` not followed by two hex
 * digits: the request is then answered 400).
 */

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** RFC 3986 `unreserved`: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

/** `path-merge-slashes`: `//a///b` -> `/a/b`. */
export function mergeSlashes(path: string): string {
  return path.replace(/\/{2,}/g, '/');
}

/** `path-strip-dot`: drops `.` segments (`/a/./b` -> `/a/b`), as HAProxy splits on '/'. */
export function stripDot(path: string): string {
  const segments = path.split('/');
  let out = '';
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const last = i === segments.length - 1;
    // HAProxy's istsplit loop: a segment followed by a '/' is written with it; the final
    // empty segment after a trailing '/' is not a segment at all.
    if (last && segment === '' && i > 0) break;
    if (segment === '.') continue;
    out += last ? segment : `${segment}/`;
  }
  return out;
}

/**
 * `path-strip-dotdot [full]`: merges `/../` with the segment before it, scanning from the end
 * as HAProxy does. Without `full`, `/..` segments that climb above the root are kept at the start.
 */
export function stripDotDot(path: string, full: boolean): string {
  let offset = path.length - 1;
  let up = 0;
  let head = '';
  if (offset >= 2 && path.startsWith('/..', offset - 2)) {
    up++;
    offset -= 2;
  }
  while (offset >= 0) {
    if (offset >= 3 && path.startsWith('/../', offset - 3)) {
      up++;
      offset -= 3;
      continue;
    }
    if (up > 0) {
      offset--;
      if (offset >= 0) {
        up--;
        while (offset >= 0 && path.charCodeAt(offset) !== 0x2f) offset--;
      }
    } else {
      let segment = path[offset] as string;
      offset--;
      while (offset >= 0 && path.charCodeAt(offset) !== 0x2f) {
        segment = path[offset] + segment;
        offset--;
      }
      head = segment + head;
    }
  }
  if (up > 0) {
    head = `/${head}`;
    if (!full) head = '/..'.repeat(up) + head;
  }
  return head;
}

/** `percent-to-uppercase [strict]`: `%2f` -> `%2F`. */
export function percentToUppercase(text: string, strict: boolean): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 /* % */) {
      if (i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
        out += `%${text.slice(i + 1, i + 3).toUpperCase()}`;
        i += 2;
        continue;
      }
      if (strict) return undefined;
    }
    out += text[i];
  }
  return out;
}

/** `percent-decode-unreserved [strict]`: `%7E` -> `~`; other escapes stay as written. */
export function percentDecodeUnreserved(text: string, strict: boolean): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 /* % */) {
      if (i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
        const decoded = Number.parseInt(text.slice(i + 1, i + 3), 16);
        out += isUnreserved(decoded) ? String.fromCharCode(decoded) : text.slice(i, i + 3);
        i += 2;
        continue;
      }
      if (strict) return undefined;
    }
    out += text[i];
  }
  return out;
}

/**
 * `query-sort-by-name`: `query` starts with its '?'; parameters are sorted by name (bytewise,
 * a shorter name first), parameters of the same name keep their order.
 */
export function sortQuery(query: string): string {
  const params = query.slice(1).split('&');
  // HAProxy's istsplit loop yields no final empty parameter after a trailing '&'.
  if (params.length > 1 && params[params.length - 1] === '') params.pop();
  if (query.length === 1) params.length = 0;
  const keyed = params.map((p, i) => ({ p, i, name: nameOf(p) }));
  keyed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.i - b.i));
  return `?${keyed.map((k) => k.p).join('&')}`;
}

function nameOf(param: string): string {
  const eq = param.indexOf('=');
  return eq < 0 ? param : param.slice(0, eq);
}

/** `fragment-strip`: drops `#...`. */
export function stripFragment(text: string): string {
  const hash = text.indexOf('#');
  return hash < 0 ? text : text.slice(0, hash);
}

/** `fragment-encode`: `#` -> `%23`. */
export function encodeFragment(text: string): string {
  return text.replaceAll('#', '%23');
}
