/**
 * An HTTP/2 request's header list as the HTTP/1 head the stream, the rules and the server side
 * understand (HAProxy's h2_make_htx_request): pseudo-headers become the request line (origin
 * form) and `host` (`:authority` wins over a Host header, which is dropped), cookie crumbs are
 * joined with "; " (RFC 9113 §8.2.3), and a body without Content-Length is framed chunked
 * toward the server, as HAProxy's h1 mux does. RFC 9113 §8 makes a request malformed (a stream
 * error, PROTOCOL_ERROR) when: a name has uppercase or non-token characters, a value has NUL,
 * CR or LF, a pseudo-header is unknown, repeated, or follows a regular field, `:method`,
 * `:scheme` or `:path` is missing (CONNECT: `:scheme`/`:path` present or `:authority` missing),
 * `:path` is empty or neither "*" nor starts with "/", a connection-specific field is present
 * (connection, proxy-connection, keep-alive, upgrade, transfer-encoding), `te` is other than
 * "trailers", or Content-Length values are not one repeated number. A request HAProxy's
 * h2_prepare_htx_reqline builds but flags as a parsing error (a `:scheme` that is not an
 * RFC 3986 scheme, a method that is not a token, a URI with blanks or controls) is not a stream
 * error: it throws an HttpParseError, and the stream answers it 400 (h2_desync_attacks).
 */
import { stripDefaultPort } from '../../http/absolute-form.ts';
import { TCHAR, allocFromSlab, copyBytes } from '../../http/codec/chars.ts';
import { HttpParseError, RequestHeadParser, type RequestHead } from '../../http/codec/index.ts';
import type { HeaderList } from '../../http/h2/index.ts';
import { newWebsocketKey } from './ext-connect.ts';

/** Why a header list is not a request: RFC 9113 §8.1.1 malformed (stream error PROTOCOL_ERROR). */
export class MalformedRequest extends Error {
  override readonly name = 'MalformedRequest';
}

/** What the conversion found out besides the head. */
export interface RequestFacts {
  /** Content-Length, or -1 when absent. */
  contentLength: number;
  /** The body goes to the server chunked (no Content-Length, and more than HEADERS will come). */
  chunked: boolean;
  /** An extended CONNECT (RFC 8441): its `:protocol`, else undefined. */
  protocol?: string | undefined;
  /** The Sec-WebSocket-Key made up for an extended CONNECT `websocket` that had none. */
  websocketKey?: string | undefined;
}

const FORBIDDEN = new Set(['connection', 'proxy-connection', 'keep-alive', 'upgrade', 'transfer-encoding']);

export function checkName(name: string, from: number): void {
  if (name.length === from) throw new MalformedRequest('empty field name');
  for (let i = from; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f || TCHAR[c] !== 1 || (c >= 0x41 && c <= 0x5a)) throw new MalformedRequest(`invalid field name ${JSON.stringify(name)}`);
  }
}

export function checkValue(value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) throw new MalformedRequest('NUL, CR or LF in a field value');
  }
}

/**
 * The regular fields' lines of the request being converted, as bytes: written once, straight
 * from the field strings, instead of a string of lines copied again into the head.
 */
let lines = new Uint8Array(1024);
let linesLength = 0;

/** Appends latin1 text (field names and values are: HPACK strings are bytes) to `lines`. */
function appendLine(a: string, b: string, c: string, d: string): void {
  const need = linesLength + a.length + b.length + c.length + d.length;
  if (need > lines.length) {
    let size = lines.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(lines.subarray(0, linesLength));
    lines = grown;
  }
  let at = linesLength;
  for (let i = 0; i < a.length; i++) lines[at++] = a.charCodeAt(i);
  for (let i = 0; i < b.length; i++) lines[at++] = b.charCodeAt(i);
  for (let i = 0; i < c.length; i++) lines[at++] = c.charCodeAt(i);
  for (let i = 0; i < d.length; i++) lines[at++] = d.charCodeAt(i);
  linesLength = at;
}

/** Writes latin1 text at out[at]; returns the position after it. */
function put(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** RFC 3986 §3.1 (HAProxy's http_validate_scheme): ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
function validScheme(scheme: string): boolean {
  if (scheme.length === 0) return false;
  for (let i = 0; i < scheme.length; i++) {
    const c = scheme.charCodeAt(i) | 0x20;
    if (c >= 0x61 && c <= 0x7a) continue;
    if (i === 0) return false;
    const raw = scheme.charCodeAt(i);
    if ((raw >= 0x30 && raw <= 0x39) || raw === 0x2b || raw === 0x2d || raw === 0x2e) continue;
    return false;
  }
  return true;
}

/** HAProxy's h2_parse_cont_len_header: "N", "N, N", repeated fields: all the same number. */
export function parseContentLength(value: string, previous: number): number {
  let result = previous;
  for (const part of value.split(',')) {
    const word = part.trim();
    if (word === '' || !/^[0-9]+$/.test(word) || word.length > 15) throw new MalformedRequest('invalid content-length');
    const n = Number(word);
    if (result >= 0 && n !== result) throw new MalformedRequest('differing content-length values');
    result = n;
  }
  return result;
}

/**
 * Builds the request head. `endStream`: the HEADERS frame ended the stream (no body). Throws
 * MalformedRequest; an HttpParseError from the HTTP/1 parser (a field the H1 codec refuses,
 * too many fields) is the caller's to map. The parser must be made with copyHead false: the
 * bytes it reads are the head's own.
 */
export function requestHeadFromFields(fields: HeaderList, endStream: boolean, parser: RequestHeadParser, facts: RequestFacts): RequestHead {
  let method: string | undefined;
  let scheme: string | undefined;
  let authority: string | undefined;
  let path: string | undefined;
  let protocol: string | undefined;
  let websocketKey = false;
  let regular = false;
  let cookie: string | undefined;
  let contentLength = -1;
  linesLength = 0;
  for (let i = 0; i < fields.count; i++) {
    const name = fields.names[i]!;
    const value = fields.values[i]!;
    checkValue(value);
    if (name.charCodeAt(0) === 0x3a /* : */) {
      if (regular) throw new MalformedRequest('pseudo-header after a regular field');
      switch (name) {
        case ':method':
          if (method !== undefined) throw new MalformedRequest('repeated :method');
          method = value;
          break;
        case ':scheme':
          if (scheme !== undefined) throw new MalformedRequest('repeated :scheme');
          scheme = value;
          break;
        case ':authority':
          if (authority !== undefined) throw new MalformedRequest('repeated :authority');
          authority = value;
          break;
        case ':path':
          if (path !== undefined) throw new MalformedRequest('repeated :path');
          path = value;
          break;
        case ':protocol':
          if (protocol !== undefined) throw new MalformedRequest('repeated :protocol');
          protocol = value;
          break;
        default:
          throw new MalformedRequest(`pseudo-header ${name} in a request`);
      }
      continue;
    }
    regular = true;
    checkName(name, 0);
    if (FORBIDDEN.has(name)) throw new MalformedRequest(`connection-specific field ${name}`);
    if (name === 'te') {
      if (value !== 'trailers') throw new MalformedRequest('te other than trailers');
    } else if (name === 'cookie') {
      cookie = cookie === undefined ? value : `${cookie}; ${value}`;
      continue;
    } else if (name === 'host') {
      if (authority !== undefined) continue;
    } else if (name === 'sec-websocket-key') {
      websocketKey = true;
    } else if (name === 'content-length') {
      const before = contentLength;
      contentLength = parseContentLength(value, contentLength);
      if (before >= 0) continue; // one content-length goes on
      appendLine('content-length: ', String(contentLength), '\r\n', '');
      continue;
    }
    appendLine(name, ': ', value, '\r\n');
  }
  if (method === undefined) throw new MalformedRequest('missing :method');
  let target: string;
  let upgrade = '';
  facts.websocketKey = undefined;
  facts.protocol = protocol;
  if (protocol !== undefined) {
    // RFC 8441 §4: `:protocol` only on CONNECT, which then has `:scheme`, `:path` and `:authority`.
    if (method !== 'CONNECT') throw new MalformedRequest(':protocol without CONNECT');
    if (scheme === undefined || path === undefined || authority === undefined) throw new MalformedRequest('extended CONNECT without :scheme, :path or :authority');
    method = 'GET';
    upgrade = `upgrade: ${protocol}\r\nconnection: upgrade\r\n`;
    if (!websocketKey && protocol.toLowerCase() === 'websocket') {
      // Not a field of the request: HAProxy's H1 mux adds it on its way to an HTTP/1 server
      // (src/mux/h1-head-out.ts), after what the rules did; an HTTP/2 server gets none.
      facts.websocketKey = newWebsocketKey();
    }
  }
  if (method === 'CONNECT') {
    if (scheme !== undefined || path !== undefined) throw new MalformedRequest('CONNECT with :scheme or :path');
    if (authority === undefined) throw new MalformedRequest('CONNECT without :authority');
    target = authority;
  } else {
    if (scheme === undefined) throw new MalformedRequest('missing :scheme');
    if (path === undefined) throw new MalformedRequest('missing :path');
    if (path === '' || (path.charCodeAt(0) !== 0x2f && path !== '*')) throw new MalformedRequest('invalid :path');
    if (!validScheme(scheme)) throw new HttpParseError('BAD_URI', false, -1, 'invalid :scheme');
    target = path;
    if (authority !== undefined) {
      // HAProxy's normalized URI: absolute form, the scheme's default port dropped from it and
      // from Host (http_scheme_based_normalize); the server still gets the origin form.
      authority = stripDefaultPort(authority, scheme);
      target = path === '*' ? `${scheme}://${authority}` : `${scheme}://${authority}${path}`;
    }
  }
  facts.contentLength = contentLength;
  // An extended CONNECT has no body: what follows its HEADERS is the tunnel's.
  facts.chunked = !endStream && contentLength < 0 && protocol === undefined;
  // HAProxy's order (h2_make_htx_request): Host from :authority where the first regular field
  // comes, else after the Upgrade pair; the cookies joined last.
  const requestLine = `${method} ${target} HTTP/1.1\r\n`;
  const host = authority === undefined ? '' : `host: ${authority}\r\n`;
  const cookieLine = cookie === undefined ? '' : `cookie: ${cookie}\r\n`;
  const te = facts.chunked ? 'transfer-encoding: chunked\r\n' : '';
  // A slab view, not a fresh ArrayBuffer: the parser (copyHead false) keeps it as the head's raw.
  const bytes = allocFromSlab(requestLine.length + host.length + linesLength + upgrade.length + cookieLine.length + te.length + 2);
  let at = put(bytes, 0, requestLine);
  if (regular) at = put(bytes, at, host);
  at = copyBytes(bytes, at, lines, 0, linesLength);
  // A huge head's buffer is not kept for the next small ones.
  if (lines.length > 65536) lines = new Uint8Array(1024);
  at = put(bytes, at, upgrade);
  if (!regular) at = put(bytes, at, host);
  at = put(bytes, at, cookieLine);
  at = put(bytes, at, te);
  bytes[at] = 0x0d;
  bytes[at + 1] = 0x0a;
  parser.reset();
  parser.feed(bytes, 0);
  if (!parser.done) throw new MalformedRequest('incomplete head');
  const parsed = parser.head as RequestHead;
  // Its bytes are the target's characters (HPACK strings are latin1), as the parser found them.
  parsed.knownTarget(target);
  parsed.http2 = true;
  parsed.madeUpWebsocketKey = facts.websocketKey;
  return parsed;
}
