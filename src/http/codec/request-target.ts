/**
 * The parts of a request target as HAProxy's URI parser finds them (http.c: http_parse_scheme,
 * http_parse_authority, http_parse_path). The format follows the first character: '/' is an
 * absolute path, '*' the asterisk form, anything else a scheme and authority (absolute form) or
 * an authority alone (CONNECT). Offsets into the target string; nothing is allocated.
 */

function isAlpha(c: number): boolean {
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Offset after `scheme://` of an absolute-form target, or -1 when it has no scheme. */
export function uriSchemeEnd(uri: string): number {
  const n = uri.length;
  if (n === 0 || !isAlpha(uri.charCodeAt(0))) return -1;
  let p = 1;
  while (p < n) {
    const c = uri.charCodeAt(p);
    if (!(isAlpha(c) || isDigit(c) || c === 0x2b /* + */ || c === 0x2d /* - */ || c === 0x2e /* . */)) break;
    p++;
  }
  if (p >= n || uri.charCodeAt(p++) !== 0x3a /* : */) return -1;
  if (p >= n || uri.charCodeAt(p++) !== 0x2f /* / */) return -1;
  if (p >= n || uri.charCodeAt(p++) !== 0x2f) return -1;
  return p;
}

/**
 * Where the path (with its query string) starts: 0 for an absolute path, after the authority of
 * an absolute-form target; -1 when there is none (empty, `*`, authority-form, or an absolute
 * target with nothing after its authority). The path always runs to the end of the target.
 */
export function uriPathStart(uri: string): number {
  if (uri.length === 0) return -1;
  const c = uri.charCodeAt(0);
  if (c === 0x2f) return 0;
  if (c === 0x2a /* * */) return -1;
  const authority = uriSchemeEnd(uri);
  if (authority < 0) return -1;
  const slash = uri.indexOf('/', authority);
  return slash < 0 ? -1 : slash;
}

/** End of the authority of an absolute-form target (its first '/', or the end); -1 when the target has no scheme. */
export function uriAuthorityEnd(uri: string): number {
  const start = uriSchemeEnd(uri);
  if (start < 0) return -1;
  const slash = uri.indexOf('/', start);
  return slash < 0 ? uri.length : slash;
}

/** Start of the authority after `scheme://`, past any `userinfo@`; -1 when the target has no scheme. */
export function uriAuthorityStart(uri: string): number {
  const start = uriSchemeEnd(uri);
  if (start < 0) return -1;
  const end = uriAuthorityEnd(uri);
  const at = uri.lastIndexOf('@', end - 1);
  return at >= start ? at + 1 : start;
}
