/**
 * The second pass over a complete, contiguous head: trims values, finds the framing headers and
 * derives the facts a proxy acts on. Runs once per head over the header offsets (not the bytes of
 * every value), so the per-byte scanner stays a pure syntax state machine.
 *
 * Rules (DESIGN.md §5, stricter than HAProxy where it is lenient). Requests -> 400 unless noted,
 * responses -> 502:
 *
 * Content-Length
 *   - value is a comma list of 1*DIGIT elements with OWS around commas; empty value, empty element,
 *     sign, any non-digit, or a value > 2^53-1                       -> BAD_CONTENT_LENGTH
 *   - elements or repeated headers that differ                        -> DUPLICATE_CONTENT_LENGTH
 *   - identical repeats (`5, 5` or two `5` headers) are one length (as HAProxy)
 * Transfer-Encoding (all TE headers form one list, in order)
 *   - each element: token *( OWS ";" OWS token OWS "=" OWS ( token / quoted-string ) ); empty
 *     value, empty element or bad syntax                              -> BAD_TRANSFER_ENCODING
 *   - `chunked` with parameters                                       -> BAD_TRANSFER_ENCODING
 *   - in an HTTP/1.0 message (RFC 9112 §6.1: framing is faulty): processed by the rules below,
 *     then smuggleSuspect = mustClose = true, as HAProxy (reg-test http_transfer_encoding)
 *   - `chunked` more than once                                        -> CHUNKED_TWICE
 *   - request whose final coding is not `chunked`                     -> CHUNKED_NOT_LAST (400)
 *   - request with any coding besides chunked (`gzip, chunked` too: the proxy applies none, and
 *     HAProxy 2.6's h1 mux rejects them, reg-test http_transfer_encoding) -> UNKNOWN_TRANSFER_ENCODING (422)
 *     (checked after the two rules above, so `foo` alone is 400 and `foo, chunked` is 422)
 *   - response with `chunked` present but not final                   -> CHUNKED_NOT_LAST (502)
 *   - response with chunked final and another coding before it        -> UNKNOWN_TRANSFER_ENCODING (502)
 *   - response without `chunked` at all: close-delimited body (RFC 9112 §6.3 rule 4), any codings
 *   - Content-Length together with Transfer-Encoding: TE wins, contentLength = undefined,
 *     smuggleSuspect = mustClose = true (the proxy drops Content-Length and closes afterwards).
 *     Content-Length is still syntax-checked first.
 * Host (requests)
 *   - more than one Host header, even identical                       -> DUPLICATE_HOST
 *     (RFC 9112 §3.2 says any repeat; stricter than HAProxy, which rejects only differing ones)
 *   - value with a comma (a list of hosts), whitespace, `/ ? # @ \`, a bad pct-encoding, or any
 *     byte outside reg-name / IP-literal / ':'                        -> BAD_HOST
 *     (HAProxy checks nothing; an authority-shaped value with an empty host or a bad port, e.g.
 *     `:8443example.org`, passes as in HAProxy; empty is allowed)
 *   - missing on an HTTP/1.1 request: accepted and forwarded as it is, as HAProxy 2.6 does (its
 *     reg-tests send such requests; no framing depends on Host, so there is nothing to smuggle)
 * Request target (byte-level checks happen in the scanner: CONTROL_CHAR_IN_URI, BAD_URI for
 * non-ASCII and '#')
 *   - origin-form `/...` for every method except CONNECT
 *   - a target starting with `*` (the asterisk form, and what follows it: `*?a=1`) for every
 *     method except CONNECT, as HAProxy 2.6's h1 parser (h1_postparse_req_hdrs) takes it: no
 *     framing depends on it, so there is nothing to smuggle
 *   - authority-form `host:port` only (and always) for CONNECT
 *   - absolute-form `scheme://authority[/path][?query]` for other methods; userinfo (`@`) or an
 *     empty/invalid authority                                         -> BAD_URI
 *   - absolute-form and authority-form targets define the effective host (RFC 9112 §3.2.2: the
 *     target's authority wins over Host): head.host = authority, hostFromTarget = true; the
 *     proxy must rewrite Host before forwarding.
 * Connection: comma list of tokens; `close`, `keep-alive`, `upgrade` recognised case-insensitively;
 *   other elements are left for hop-by-hop removal, never an error.
 */
import { COMMA, DQUOTE, HEX, HTAB, LOWER, REG_NAME, SEMI, SP, TCHAR, BACKSLASH, equalsLower, latin1Bytes, latin1String } from './chars.ts';
import { HttpParseError } from './errors.ts';
import type { HttpHead, RequestHead, ResponseHead } from './head.ts';

const L_HOST = latin1Bytes('host');
const L_EXPECT = latin1Bytes('expect');
const L_UPGRADE = latin1Bytes('upgrade');
const L_CONNECTION = latin1Bytes('connection');
const L_CONTENT_LENGTH = latin1Bytes('content-length');
const L_TRANSFER_ENCODING = latin1Bytes('transfer-encoding');
const L_CLOSE = latin1Bytes('close');
const L_KEEP_ALIVE = latin1Bytes('keep-alive');
const L_CHUNKED = latin1Bytes('chunked');
const L_100_CONTINUE = latin1Bytes('100-continue');
const L_WEBSOCKET = latin1Bytes('websocket');
const L_SEC_WEBSOCKET_KEY = latin1Bytes('sec-websocket-key');
const L_SEC_WEBSOCKET_ACCEPT = latin1Bytes('sec-websocket-accept');

// Results of scanFields, in one module-level object so the pass allocates nothing
// (single-threaded; a const object also avoids the TDZ checks of module-level lets).
const F = {
  hostCount: 0,
  hostIndex: -1,
  upgradeHeader: false,
  /** The (last) Upgrade header names `websocket` (HAProxy's H1_MF_UPG_WEBSOCKET). */
  upgradeWebsocket: false,
  /** A Sec-WebSocket-Key of 24 characters (requests) or a Sec-WebSocket-Accept (responses). */
  websocketKey: false,
  expectIndex: -1,
  teCount: 0, // Transfer-Encoding headers seen
  teChunked: 0, // `chunked` elements
  teLastChunked: false,
  teOther: false, // a coding other than chunked
  teChunkedParams: false,
};

function fail(code: ConstructorParameters<typeof HttpParseError>[0], isResponse: boolean, detail?: string): HttpParseError {
  return new HttpParseError(code, isResponse, -1, detail);
}

/** Trims values, classifies names, parses Content-Length, Transfer-Encoding and Connection. */
function scanFields(h: HttpHead, isResponse: boolean): void {
  const raw = h.raw;
  const o = h.offsets;
  const n = h.headerCount;
  F.hostCount = 0;
  F.hostIndex = -1;
  F.upgradeHeader = false;
  F.upgradeWebsocket = false;
  F.websocketKey = false;
  F.expectIndex = -1;
  F.teCount = 0;
  F.teChunked = 0;
  F.teLastChunked = false;
  F.teOther = false;
  F.teChunkedParams = false;
  let cl = -1;
  for (let i = 0; i < n; i++) {
    const k = 4 * i;
    let vs = o[k + 2]!;
    let ve = o[k + 3]!;
    while (vs < ve && (raw[vs] === SP || raw[vs] === HTAB)) vs++;
    while (ve > vs && (raw[ve - 1] === SP || raw[ve - 1] === HTAB)) ve--;
    o[k + 2] = vs;
    o[k + 3] = ve;
    const ns = o[k]!;
    const ne = o[k + 1]!;
    switch (ne - ns) {
      case 4:
        if (equalsLower(raw, ns, ne, L_HOST)) {
          F.hostCount++;
          if (F.hostIndex < 0) F.hostIndex = i;
        }
        break;
      case 6:
        if (F.expectIndex < 0 && equalsLower(raw, ns, ne, L_EXPECT)) F.expectIndex = i;
        break;
      case 7:
        if (equalsLower(raw, ns, ne, L_UPGRADE)) {
          if (ve > vs) F.upgradeHeader = true;
          F.upgradeWebsocket = hasToken(raw, vs, ve, L_WEBSOCKET);
        }
        break;
      case 20:
        if (isResponse && equalsLower(raw, ns, ne, L_SEC_WEBSOCKET_ACCEPT)) F.websocketKey = true;
        break;
      case 10:
        if (equalsLower(raw, ns, ne, L_CONNECTION)) scanConnection(h, raw, vs, ve);
        break;
      case 14:
        if (equalsLower(raw, ns, ne, L_CONTENT_LENGTH)) {
          const v = parseContentLength(raw, vs, ve);
          if (v === -1) throw fail('BAD_CONTENT_LENGTH', isResponse, JSON.stringify(latin1String(raw, vs, ve)));
          if (v === -2 || (cl >= 0 && v !== cl)) throw fail('DUPLICATE_CONTENT_LENGTH', isResponse);
          cl = v;
        }
        break;
      case 17:
        if (equalsLower(raw, ns, ne, L_TRANSFER_ENCODING)) {
          F.teCount++;
          if (!scanTransferEncoding(raw, vs, ve)) {
            throw fail('BAD_TRANSFER_ENCODING', isResponse, JSON.stringify(latin1String(raw, vs, ve)));
          }
        } else if (!isResponse && ve - vs === 24 && equalsLower(raw, ns, ne, L_SEC_WEBSOCKET_KEY)) {
          F.websocketKey = true;
        }
        break;
    }
  }

  if (F.teCount > 0) {
    if (F.teChunkedParams) throw fail('BAD_TRANSFER_ENCODING', isResponse, 'chunked takes no parameters');
    if (F.teChunked > 1) throw fail('CHUNKED_TWICE', isResponse);
    if (isResponse) {
      if (F.teChunked === 1 && !F.teLastChunked) throw fail('CHUNKED_NOT_LAST', isResponse);
      if (F.teLastChunked && F.teOther) throw fail('UNKNOWN_TRANSFER_ENCODING', isResponse);
      h.chunked = F.teLastChunked;
      if (!F.teLastChunked) (h as ResponseHead).closeDelimited = true;
    } else {
      if (!F.teLastChunked) throw fail('CHUNKED_NOT_LAST', isResponse);
      if (F.teOther) throw fail('UNKNOWN_TRANSFER_ENCODING', isResponse);
      h.chunked = true;
    }
    // RFC 9112 §6.1: framing of an HTTP/1.0 message with Transfer-Encoding is faulty; close after.
    if (cl >= 0 || h.versionMinor === 0) h.smuggleSuspect = true;
    h.contentLength = undefined;
  } else if (cl >= 0) {
    h.contentLength = cl;
  }

  h.keepAlive = h.versionMinor === 1 ? !h.connectionClose : h.connectionKeepAlive && !h.connectionClose;
  h.mustClose = !h.keepAlive || h.smuggleSuspect;
}

/** Whether a comma list holds `token` (lowercase bytes), case-insensitively. */
function hasToken(raw: Uint8Array, start: number, end: number, token: Uint8Array): boolean {
  let p = start;
  while (p < end) {
    while (p < end && (raw[p] === SP || raw[p] === HTAB || raw[p] === COMMA)) p++;
    const s = p;
    while (p < end && raw[p] !== COMMA) p++;
    let e = p;
    while (e > s && (raw[e - 1] === SP || raw[e - 1] === HTAB)) e--;
    if (e - s === token.length && equalsLower(raw, s, e, token)) return true;
  }
  return false;
}

function scanConnection(h: HttpHead, raw: Uint8Array, start: number, end: number): void {
  let p = start;
  while (p < end) {
    while (p < end && (raw[p] === SP || raw[p] === HTAB || raw[p] === COMMA)) p++;
    const s = p;
    while (p < end && raw[p] !== COMMA) p++;
    let e = p;
    while (e > s && (raw[e - 1] === SP || raw[e - 1] === HTAB)) e--;
    switch (e - s) {
      case 5:
        if (equalsLower(raw, s, e, L_CLOSE)) h.connectionClose = true;
        break;
      case 7:
        if (equalsLower(raw, s, e, L_UPGRADE)) h.connectionUpgrade = true;
        break;
      case 10:
        if (equalsLower(raw, s, e, L_KEEP_ALIVE)) h.connectionKeepAlive = true;
        break;
    }
  }
}

/** Parses a Content-Length value: the length, -1 for bad syntax or overflow, -2 for differing elements. */
export function parseContentLength(raw: Uint8Array, start: number, end: number): number {
  let p = start;
  let value = -1;
  for (;;) {
    const es = p;
    let v = 0;
    while (p < end) {
      const d = raw[p]! - 0x30;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      if (v > Number.MAX_SAFE_INTEGER) return -1;
      p++;
    }
    if (p === es) return -1;
    if (value >= 0 && v !== value) return -2;
    value = v;
    while (p < end && (raw[p] === SP || raw[p] === HTAB)) p++;
    if (p === end) return value;
    if (raw[p] !== COMMA) return -1;
    p++;
    while (p < end && (raw[p] === SP || raw[p] === HTAB)) p++;
  }
}

function skipOws(raw: Uint8Array, p: number, end: number): number {
  while (p < end && (raw[p] === SP || raw[p] === HTAB)) p++;
  return p;
}

function skipToken(raw: Uint8Array, p: number, end: number): number {
  while (p < end && TCHAR[raw[p]!] === 1) p++;
  return p;
}

/** Accumulates one Transfer-Encoding value into the te* state; false on a syntax error. */
function scanTransferEncoding(raw: Uint8Array, start: number, end: number): boolean {
  let p = start;
  if (p === end) return false;
  for (;;) {
    const ts = p;
    p = skipToken(raw, p, end);
    const te = p;
    if (te === ts) return false;
    let params = false;
    p = skipOws(raw, p, end);
    while (p < end && raw[p] === SEMI) {
      params = true;
      p = skipOws(raw, p + 1, end);
      const ps = p;
      p = skipToken(raw, p, end);
      if (p === ps) return false;
      p = skipOws(raw, p, end);
      if (p === end || raw[p] !== 0x3d) return false;
      p = skipOws(raw, p + 1, end);
      if (p < end && raw[p] === DQUOTE) {
        p = skipQuoted(raw, p, end);
        if (p < 0) return false;
      } else {
        const vs = p;
        p = skipToken(raw, p, end);
        if (p === vs) return false;
      }
      p = skipOws(raw, p, end);
    }
    const chunked = equalsLower(raw, ts, te, L_CHUNKED);
    if (chunked) {
      F.teChunked++;
      if (params) F.teChunkedParams = true;
    } else {
      F.teOther = true;
    }
    F.teLastChunked = chunked;
    if (p === end) return true;
    if (raw[p] !== COMMA) return false;
    p = skipOws(raw, p + 1, end);
    if (p === end) return false; // trailing empty element
  }
}

/** raw[p] is a DQUOTE; returns the offset after the closing quote, or -1. */
export function skipQuoted(raw: Uint8Array, p: number, end: number): number {
  p++;
  while (p < end) {
    const c = raw[p]!;
    if (c === DQUOTE) return p + 1;
    if (c === BACKSLASH) {
      p++;
      if (p === end) return -1;
      const q = raw[p]!;
      if (q !== HTAB && (q < 0x20 || q === 0x7f)) return -1;
    } else if (c !== HTAB && (c < 0x20 || c === 0x7f)) {
      return -1;
    }
    p++;
  }
  return -1;
}

/**
 * Validates `uri-host [":" port]` in raw[s, e): reg-name (unreserved / sub-delims / pct-encoded),
 * IPv4 (a reg-name subset) or an IP-literal in brackets; port all digits, at most 65535.
 * An empty port after ':' is allowed (RFC 3986 port = *DIGIT) unless a port is required.
 */
export function validHostPort(raw: Uint8Array, s: number, e: number, requirePort: boolean): boolean {
  let p = s;
  if (p === e) return false;
  if (raw[p] === 0x5b) {
    p++;
    const hs = p;
    while (p < e && raw[p] !== 0x5d) {
      const c = raw[p]!;
      if (REG_NAME[c] !== 1 && c !== 0x3a && c !== 0x25) return false;
      p++;
    }
    if (p === e || p === hs) return false;
    p++;
  } else {
    const hs = p;
    while (p < e && raw[p] !== 0x3a) {
      const c = raw[p]!;
      if (c === 0x25) {
        if (p + 2 >= e || HEX[raw[p + 1]!] === 0xff || HEX[raw[p + 2]!] === 0xff) return false;
        p += 3;
        continue;
      }
      if (REG_NAME[c] !== 1) return false;
      p++;
    }
    if (p === hs) return false;
  }
  if (p === e) return !requirePort;
  if (raw[p] !== 0x3a) return false;
  p++;
  if (p === e) return !requirePort;
  if (e - p > 5) return false;
  let port = 0;
  for (; p < e; p++) {
    const d = raw[p]! - 0x30;
    if (d < 0 || d > 9) return false;
    port = port * 10 + d;
  }
  return port <= 65535;
}

/**
 * A Host field value as HAProxy 2.6 forwards it (it checks none: `Host: :8443example.org`,
 * `Host: a:b` reach its rules and the server as written), minus what could make the proxy and
 * the server read different hosts: a comma (a list: HAProxy's `req.hdr(host)` reads the last
 * element, a server the first or the whole), whitespace, and the bytes that end or split an
 * authority in a URL parser (`/ ? # @ \`, a bracket outside a well-formed IP literal). What is
 * left is authority-shaped (reg-name bytes, ':', well-formed pct-encodings, or a valid IP
 * literal with its port): a server parsing it finds the same host as the proxy's rules, or none.
 */
export function acceptableHostField(raw: Uint8Array, s: number, e: number): boolean {
  // An IP literal must be one: `[` starts an address a URL parser reads up to its `]`.
  if (raw[s] === 0x5b) return validHostPort(raw, s, e, false);
  for (let p = s; p < e; p++) {
    const c = raw[p]!;
    if (c === COMMA) return false;
    if (c === 0x25) {
      if (p + 2 >= e || HEX[raw[p + 1]!] === 0xff || HEX[raw[p + 2]!] === 0xff) return false;
      p += 2;
      continue;
    }
    if (REG_NAME[c] !== 1 && c !== 0x3a) return false;
  }
  return true;
}

/** Fills the derived facts of a request head; throws HttpParseError (400/422). */
export function analyzeRequest(h: RequestHead): void {
  // HAProxy's http_wait_for_request: PRI (any case) is the HTTP/2 preface's, never a request.
  if (h.method.length === 3 && (h.method.charCodeAt(0) | 0x20) === 0x70 && (h.method.charCodeAt(1) | 0x20) === 0x72 && (h.method.charCodeAt(2) | 0x20) === 0x69) {
    throw fail('BAD_REQUEST_LINE', false, 'PRI is reserved for the HTTP/2 preface');
  }
  scanFields(h, false);
  const raw = h.raw;
  if (F.expectIndex >= 0 && h.versionMinor === 1 && h.valueIs(F.expectIndex, L_100_CONTINUE)) h.expectContinue = true;
  h.upgrade = h.connectionUpgrade && F.upgradeHeader && h.versionMinor === 1;
  // RFC 6455 as HAProxy's H1 mux checks it: a WebSocket handshake carries its key.
  if (h.connectionUpgrade && F.upgradeWebsocket && !F.websocketKey && !h.http2) throw fail('BAD_WEBSOCKET_KEY', false, 'a WebSocket upgrade without a 24-character Sec-WebSocket-Key');

  if (F.hostCount > 1) throw fail('DUPLICATE_HOST', false);
  h.hostIndex = F.hostIndex;
  if (F.hostIndex >= 0) {
    const vs = h.offsets[4 * F.hostIndex + 2]!;
    const ve = h.offsets[4 * F.hostIndex + 3]!;
    if (ve > vs && !acceptableHostField(raw, vs, ve)) throw fail('BAD_HOST', false, JSON.stringify(latin1String(raw, vs, ve)));
    h.hostStart = vs;
    h.hostEnd = ve;
  }

  const t0 = h.targetStart;
  const t1 = h.targetEnd;
  const first = raw[t0]!;
  const connect = h.method === 'CONNECT';
  if (first === 0x2f) {
    if (connect) throw fail('BAD_URI', false, 'CONNECT needs an authority-form target');
  } else if (first === 0x2a) {
    if (connect) throw fail('BAD_URI', false, 'CONNECT needs an authority-form target');
  } else if (connect) {
    if (!validHostPort(raw, t0, t1, true)) throw fail('BAD_URI', false, 'bad CONNECT authority');
    h.hostStart = t0;
    h.hostEnd = t1;
    h.hostFromTarget = true;
  } else {
    const as = absoluteAuthorityStart(raw, t0, t1);
    if (as < 0) throw fail('BAD_URI', false);
    let ae = as;
    while (ae < t1 && raw[ae] !== 0x2f && raw[ae] !== 0x3f) {
      if (raw[ae] === 0x40) throw fail('BAD_URI', false, 'userinfo in target');
      ae++;
    }
    if (!validHostPort(raw, as, ae, false)) throw fail('BAD_URI', false, 'bad authority');
    h.hostStart = as;
    h.hostEnd = ae;
    h.hostFromTarget = true;
  }
}

/** For `scheme "://" ...` returns the offset after "//"; -1 if raw[s, e) is not that shape. */
function absoluteAuthorityStart(raw: Uint8Array, s: number, e: number): number {
  let p = s;
  const c0 = LOWER[raw[p]!]!;
  if (c0 < 0x61 || c0 > 0x7a) return -1;
  p++;
  while (p < e) {
    const c = LOWER[raw[p]!]!;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) p++;
    else break;
  }
  if (e - p < 3 || raw[p] !== 0x3a || raw[p + 1] !== 0x2f || raw[p + 2] !== 0x2f) return -1;
  return p + 3;
}

/** Fills the derived facts of a response head; throws HttpParseError (502). */
export function analyzeResponse(h: ResponseHead): void {
  scanFields(h, true);
  h.upgrade = h.status === 101 && h.connectionUpgrade && F.upgradeHeader;
  if (h.connectionUpgrade && F.upgradeWebsocket && !F.websocketKey) throw fail('BAD_WEBSOCKET_KEY', true, 'a WebSocket upgrade response without Sec-WebSocket-Accept');
  if (h.closeDelimited) h.mustClose = true;
}
