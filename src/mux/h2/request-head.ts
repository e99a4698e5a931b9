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
import { TARGET_CHAR, TCHAR, allocFromSlab } from '../../http/codec/chars.ts';
import { DEFAULT_MAX_HEAD_SIZE, HttpParseError, RequestHead } from '../../http/codec/index.ts';
import { analyzeRequest } from '../../http/codec/semantics.ts';
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
 * The regular fields that go on as they are (not the cookies, joined into one; not a Host that
 * :authority overrides; not a repeated Content-Length): their indices in the field list, kept
 * between requests so that a request allocates none.
 */
let kept = new Int32Array(64);

/** The byte limit of a request's head, the HTTP/1 parser's (HAProxy's tune.bufsize - tune.maxrewrite). */
const MAX_HEAD_SIZE = DEFAULT_MAX_HEAD_SIZE;

/**
 * Writes the header line `name: value` CRLF at out[at], and its offsets as the HTTP/1 parser
 * records them (the value without leading or trailing blanks); returns the position after it.
 */
export function putField(out: Uint8Array, at: number, offsets: number[], name: string, value: string): number {
  offsets.push(at);
  at = put(out, at, name);
  offsets.push(at);
  out[at++] = 0x3a;
  out[at++] = 0x20;
  let vs = at;
  at = put(out, at, value);
  let ve = at;
  while (vs < ve && (out[vs] === 0x20 || out[vs] === 0x09)) vs++;
  while (ve > vs && (out[ve - 1] === 0x20 || out[ve - 1] === 0x09)) ve--;
  offsets.push(vs, ve);
  out[at++] = 0x0d;
  out[at++] = 0x0a;
  return at;
}

/** Writes latin1 text at out[at]; returns the position after it. */
export function put(out: Uint8Array, at: number, text: string): number {
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
 * Builds the request head: its bytes are written once, with the offsets the HTTP/1 parser would
 * record, and the head's semantics are checked by the same analysis (analyzeRequest) as a head
 * read from HTTP/1 (so a Host the codec refuses, say, is refused here too). Throws
 * MalformedRequest, or an HttpParseError (answered 400) for what the HTTP/1 parser refuses and
 * RFC 9113 does not: a method that is not a token, a target with blanks or controls, a value
 * with a control other than HTAB, more than `maxHeaders` fields, a head over the parser's size.
 * `endStream`: the HEADERS frame ended the stream (no body).
 */
export function requestHeadFromFields(fields: HeaderList, endStream: boolean, facts: RequestFacts, maxHeaders: number): RequestHead {
  let method: string | undefined;
  let scheme: string | undefined;
  let authority: string | undefined;
  let path: string | undefined;
  let protocol: string | undefined;
  let websocketKey = false;
  let regular = false;
  let cookie: string | undefined;
  let contentLength = -1;
  let contentLengthAt = -1;
  let keptCount = 0;
  let keptBytes = 0;
  let badValue = false;
  if (kept.length < fields.count) kept = new Int32Array(Math.max(fields.count, kept.length * 2));
  for (let i = 0; i < fields.count; i++) {
    const name = fields.names[i]!;
    const value = fields.values[i]!;
    for (let j = 0; j < value.length; j++) {
      const c = value.charCodeAt(j);
      if (c < 0x20 || c === 0x7f) {
        if (c === 0 || c === 0x0a || c === 0x0d) throw new MalformedRequest('NUL, CR or LF in a field value');
        if (c !== 0x09) badValue = true;
      }
    }
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
      contentLengthAt = i;
      kept[keptCount++] = i;
      keptBytes += 18 + String(contentLength).length;
      continue;
    }
    kept[keptCount++] = i;
    keptBytes += name.length + value.length + 4;
  }
  if (method === undefined) throw new MalformedRequest('missing :method');
  let target: string;
  let upgrade = false;
  facts.websocketKey = undefined;
  facts.protocol = protocol;
  if (protocol !== undefined) {
    // RFC 8441 §4: `:protocol` only on CONNECT, which then has `:scheme`, `:path` and `:authority`.
    if (method !== 'CONNECT') throw new MalformedRequest(':protocol without CONNECT');
    if (scheme === undefined || path === undefined || authority === undefined) throw new MalformedRequest('extended CONNECT without :scheme, :path or :authority');
    method = 'GET';
    upgrade = true;
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
  // What the HTTP/1 parser refuses in a head it reads: the start line's, then the fields'.
  checkMethod(method);
  checkTarget(target);
  if (badValue) throw new HttpParseError('BAD_HEADER_VALUE', false, -1, 'a control character in a field value');
  facts.contentLength = contentLength;
  // An extended CONNECT has no body: what follows its HEADERS is the tunnel's.
  const chunked = (facts.chunked = !endStream && contentLength < 0 && protocol === undefined);
  const count = keptCount + (authority === undefined ? 0 : 1) + (upgrade ? 2 : 0) + (cookie === undefined ? 0 : 1) + (chunked ? 1 : 0);
  if (count > maxHeaders) throw new HttpParseError('TOO_MANY_HEADERS', false, -1);
  const startLineEnd = method.length + target.length + 12;
  const size =
    startLineEnd +
    keptBytes +
    (authority === undefined ? 0 : authority.length + 8) +
    (upgrade ? (protocol as string).length + 32 : 0) +
    (cookie === undefined ? 0 : cookie.length + 10) +
    (chunked ? 28 : 0) +
    2;
  if (size > MAX_HEAD_SIZE) throw new HttpParseError('HEAD_TOO_LARGE', false, -1);
  // A slab view, not a fresh ArrayBuffer: the head keeps it as its raw bytes.
  const bytes = allocFromSlab(size);
  let at = put(bytes, 0, method);
  bytes[at++] = 0x20;
  const targetStart = at;
  at = put(bytes, at, target);
  const targetEnd = at;
  at = put(bytes, at, ' HTTP/1.1\r\n');
  const offsets: number[] = [];
  // HAProxy's order (h2_make_htx_request): Host from :authority where the first regular field
  // comes, else after the Upgrade pair; the cookies joined last.
  if (regular && authority !== undefined) at = putField(bytes, at, offsets, 'host', authority);
  for (let k = 0; k < keptCount; k++) {
    const i = kept[k]!;
    at = putField(bytes, at, offsets, fields.names[i]!, i === contentLengthAt ? String(contentLength) : fields.values[i]!);
  }
  if (upgrade) {
    at = putField(bytes, at, offsets, 'upgrade', protocol as string);
    at = putField(bytes, at, offsets, 'connection', 'upgrade');
  }
  if (!regular && authority !== undefined) at = putField(bytes, at, offsets, 'host', authority);
  if (cookie !== undefined) at = putField(bytes, at, offsets, 'cookie', cookie);
  if (chunked) at = putField(bytes, at, offsets, 'transfer-encoding', 'chunked');
  bytes[at] = 0x0d;
  bytes[at + 1] = 0x0a;
  const head = new RequestHead(bytes, offsets, count, startLineEnd, 1);
  head.method = method;
  head.targetStart = targetStart;
  head.targetEnd = targetEnd;
  head.http2 = true;
  analyzeRequest(head);
  // Its bytes are the target's characters (HPACK strings are latin1), as written above.
  head.knownTarget(target);
  head.madeUpWebsocketKey = facts.websocketKey;
  return head;
}

/** The HTTP/1 parser's rule for a method: 1*tchar. */
function checkMethod(method: string): void {
  if (method.length === 0) throw new HttpParseError('BAD_REQUEST_LINE', false, 0, 'bad method');
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c > 0x7f || TCHAR[c] !== 1) throw new HttpParseError('BAD_REQUEST_LINE', false, i, 'bad method');
  }
}

/** The HTTP/1 parser's rule for a request-target: visible ASCII but '#' (its targetError codes). */
function checkTarget(target: string): void {
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x7f && TARGET_CHAR[c] === 1) continue;
    if (c === 0x20 || c === 0x0d || c === 0x0a) throw new HttpParseError('BAD_REQUEST_LINE', false, -1, 'a blank in :path or :authority');
    if (c >= 0x80 || c === 0x23) throw new HttpParseError('BAD_URI', false, -1);
    throw new HttpParseError('CONTROL_CHAR_IN_URI', false, -1);
  }
}
