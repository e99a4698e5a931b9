/**
 * Parsed message heads: the raw head bytes (start line through the final CRLF, exactly as
 * received) plus per-header offsets, and the framing facts derived once while parsing.
 *
 * Header i occupies:
 *   name   raw[offsets[4i],     offsets[4i + 1])   original case
 *   value  raw[offsets[4i + 2], offsets[4i + 3])   leading/trailing OWS trimmed
 *   line   raw[offsets[4i],     lineEnd(i))        including its CRLF; lines are contiguous
 * so a proxy can forward the original bytes untouched, or copy runs of kept lines when it
 * rewrites (see HeadEditor in serialize.ts).
 */
import { COMMA, HTAB, LOWER, SP, TCHAR, equalsLower, latin1Bytes, latin1String } from './chars.ts';
import { uriAuthorityEnd, uriAuthorityStart } from './request-target.ts';

/** A header name pre-encoded once: its spelling for output and its lowercase bytes for lookups. */
export interface HeaderName {
  /** Spelling used when this name is written (e.g. 'X-Forwarded-For'). */
  readonly name: string;
  /** The spelling as bytes. */
  readonly bytes: Uint8Array;
  /** ASCII-lowercase bytes, compared against received names case-insensitively. */
  readonly lower: Uint8Array;
}

/** Pre-encodes a header name. Throws TypeError unless it is a non-empty RFC 9110 token. */
export function headerName(name: string): HeaderName {
  if (name.length === 0) throw new TypeError('header name is empty');
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f || TCHAR[c] !== 1) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
  }
  return { name, bytes: latin1Bytes(name), lower: latin1Bytes(name.toLowerCase()) };
}

export const H_HOST: HeaderName = headerName('host');
export const H_CONTENT_LENGTH: HeaderName = headerName('content-length');
export const H_TRANSFER_ENCODING: HeaderName = headerName('transfer-encoding');
export const H_CONNECTION: HeaderName = headerName('connection');
export const H_UPGRADE: HeaderName = headerName('upgrade');
export const H_EXPECT: HeaderName = headerName('expect');
export const H_KEEP_ALIVE: HeaderName = headerName('keep-alive');
export const H_PROXY_CONNECTION: HeaderName = headerName('proxy-connection');
export const H_TE: HeaderName = headerName('te');
export const H_TRAILER: HeaderName = headerName('trailer');
export const H_X_FORWARDED_FOR: HeaderName = headerName('x-forwarded-for');

/**
 * The lengths of the header names as a bit set: bit (length % 31) for each, bit 31 always (so
 * that a computed set is never 0). The heads are never edited in place, so it stays true.
 */
function nameLengthSet(o: readonly number[], count: number): number {
  let set = 1 << 31;
  for (let i = 0; i < count; i++) set |= 1 << (o[4 * i + 1]! - o[4 * i]!) % 31;
  return set;
}

/** What the head parsers share. Fields are plain data; the analysis in semantics.ts fills them. */
export class HttpHead {
  /** The head bytes: start line, header lines, final CRLF. Never mutated by the codec. */
  raw: Uint8Array;
  /** 4 numbers per header; see the file comment. */
  offsets: number[];
  headerCount: number;
  /** Offset just after the start line's CRLF: where the first header line (or the final CRLF) begins. */
  startLineEnd: number;
  versionMinor: 0 | 1;
  /**
   * A version read as HTTP/1.1 that came as another (`HTTP/1.2`, `HTTP/2.0`), as received: the
   * logs and `req.ver` / `res.ver` show it, as HAProxy's; forwarded, the start line says HTTP/1.1.
   */
  oddVersion: string | undefined;
  /** Body length from Content-Length; undefined when absent or when Transfer-Encoding overrides it. */
  contentLength: number | undefined;
  /** Transfer-Encoding ends with chunked: the body is chunked. */
  chunked: boolean;
  /** Connection header carries the `close` token. */
  connectionClose: boolean;
  /** Connection header carries the `keep-alive` token. */
  connectionKeepAlive: boolean;
  /** Connection header carries the `upgrade` token. */
  connectionUpgrade: boolean;
  /** Persistence per RFC 9112 §9.3: HTTP/1.1 unless `close`; HTTP/1.0 only with `keep-alive` and no `close`. */
  keepAlive: boolean;
  /**
   * The framing is suspect: both Content-Length and Transfer-Encoding were present, or
   * Transfer-Encoding came in an HTTP/1.0 message (RFC 9112 §6.1). Transfer-Encoding wins, the
   * proxy drops Content-Length before forwarding and closes after the exchange.
   */
  smuggleSuspect: boolean;
  /** The connection must close after this exchange: !keepAlive, smuggleSuspect, or a close-delimited body. */
  mustClose: boolean;
  /** nameLengthSet() of the headers, once a lookup needed it; 0 = not yet. */
  #nameLengths = 0;

  constructor(raw: Uint8Array, offsets: number[], headerCount: number, startLineEnd: number, versionMinor: 0 | 1) {
    this.raw = raw;
    this.offsets = offsets;
    this.headerCount = headerCount;
    this.startLineEnd = startLineEnd;
    this.versionMinor = versionMinor;
    this.oddVersion = undefined;
    this.contentLength = undefined;
    this.chunked = false;
    this.connectionClose = false;
    this.connectionKeepAlive = false;
    this.connectionUpgrade = false;
    this.keepAlive = false;
    this.smuggleSuspect = false;
    this.mustClose = false;
  }

  /**
   * Index of the first header at or after `from` whose name matches, or -1. Allocation free.
   * A proxy mostly asks for names a message does not have (Connection, TE, Upgrade... about 19
   * lookups per exchange): the set of name lengths present answers those without a scan.
   */
  indexOf(name: HeaderName | Uint8Array, from = 0): number {
    const lc = name instanceof Uint8Array ? name : name.lower;
    const n = lc.length;
    let lengths = this.#nameLengths;
    if (lengths === 0) lengths = this.#nameLengths = nameLengthSet(this.offsets, this.headerCount);
    if (((lengths >>> n % 31) & 1) === 0) return -1;
    const o = this.offsets;
    const raw = this.raw;
    const first = lc[0];
    for (let i = from; i < this.headerCount; i++) {
      const s = o[4 * i]!;
      if (o[4 * i + 1]! - s === n && LOWER[raw[s]!] === first && equalsLower(raw, s, s + n, lc)) return i;
    }
    return -1;
  }

  /** Value of the first header with this name (latin1-decoded, OWS-trimmed), or undefined. */
  get(name: HeaderName | Uint8Array): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.valueAt(i);
  }

  /** Values of every header with this name, in order. */
  getAll(name: HeaderName | Uint8Array): string[] {
    const out: string[] = [];
    for (let i = this.indexOf(name); i >= 0; i = this.indexOf(name, i + 1)) out.push(this.valueAt(i));
    return out;
  }

  has(name: HeaderName | Uint8Array): boolean {
    return this.indexOf(name) >= 0;
  }

  /** Name of header i as received (original case). */
  nameAt(i: number): string {
    return latin1String(this.raw, this.offsets[4 * i]!, this.offsets[4 * i + 1]!);
  }

  /** Value of header i (latin1: one char per byte, so obs-text round-trips). */
  valueAt(i: number): string {
    return latin1String(this.raw, this.offsets[4 * i + 2]!, this.offsets[4 * i + 3]!);
  }

  /** Value of header i as a view of the raw bytes (no copy; valid as long as the head is). */
  valueBytes(i: number): Uint8Array {
    return this.raw.subarray(this.offsets[4 * i + 2]!, this.offsets[4 * i + 3]!);
  }

  /** End offset (after CRLF) of header line i. */
  lineEnd(i: number): number {
    return i + 1 < this.headerCount ? this.offsets[4 * (i + 1)]! : this.raw.length - 2;
  }

  /** True when header i's name matches. */
  nameIs(i: number, name: HeaderName | Uint8Array): boolean {
    const lc = name instanceof Uint8Array ? name : name.lower;
    return equalsLower(this.raw, this.offsets[4 * i]!, this.offsets[4 * i + 1]!, lc);
  }

  /** True when header i's whole value equals `lc` (lowercase bytes) case-insensitively. */
  valueIs(i: number, lc: Uint8Array): boolean {
    return equalsLower(this.raw, this.offsets[4 * i + 2]!, this.offsets[4 * i + 3]!, lc);
  }

  /**
   * True when some header with this name has a comma-list element equal to `token`
   * (lowercase bytes) case-insensitively, e.g. hasToken(H_CONNECTION, 'upgrade'). No allocation.
   */
  hasToken(name: HeaderName | Uint8Array, token: Uint8Array): boolean {
    for (let i = this.indexOf(name); i >= 0; i = this.indexOf(name, i + 1)) {
      if (listHasToken(this.raw, this.offsets[4 * i + 2]!, this.offsets[4 * i + 3]!, token)) return true;
    }
    return false;
  }

  /** Every header as [name, value] pairs in order (allocates; for tests, logs and tooling). */
  entries(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = 0; i < this.headerCount; i++) out.push([this.nameAt(i), this.valueAt(i)]);
    return out;
  }

  /** Calls fn(index) for every header; read with nameAt/valueAt/nameIs or raw + offsets. */
  forEach(fn: (index: number, head: this) => void): void {
    for (let i = 0; i < this.headerCount; i++) fn(i, this);
  }
}

/** A parsed request head. */
export class RequestHead extends HttpHead {
  /** Method string; the nine RFC methods are interned constants (no allocation). */
  method: string;
  /**
   * Offsets of the request-target in targetBuffer: `raw` as received (method is
   * raw[0, targetStart - 1)), the new target's own bytes once rules rewrote the request line.
   */
  targetStart: number;
  targetEnd: number;
  targetBuffer: Uint8Array;
  /**
   * Offsets of the effective host (see `host`), or -1 when there is none: the Host header
   * value in raw, or the authority inside the request-target (in targetBuffer).
   */
  hostStart: number;
  hostEnd: number;
  /** `host` came from the request-target; a forwarding proxy must rewrite Host to it. */
  hostFromTarget: boolean;
  /** Index of the Host header, or -1. */
  hostIndex: number;
  /** Connection: upgrade plus an Upgrade header on an HTTP/1.1 request. */
  upgrade: boolean;
  /** HTTP/1.1 request with `Expect: 100-continue`. */
  expectContinue: boolean;
  /** The request line had more than one space between its words: it is forwarded with one. */
  spacedRequestLine: boolean;
  /**
   * The request came over HTTP/2 (built by src/mux/h2/request-head.ts): its version is 2.0 for
   * logs and fetches, and its absolute-form target (HAProxy's normalized URI, built from
   * :scheme and :authority) goes to an HTTP/1 server in origin form.
   */
  http2: boolean;
  /**
   * The Sec-WebSocket-Key made up for an HTTP/2 extended CONNECT for `websocket` that had none
   * (RFC 8441 §5): not a field of the request; the H1 mux adds it toward an HTTP/1 server.
   */
  madeUpWebsocketKey: string | undefined;
  private targetCache: string | undefined;
  private hostCache: string | undefined;
  /** The request line as received, kept once rules rewrote it. */
  private received: { readonly method: string; readonly target: string } | undefined;

  constructor(raw: Uint8Array, offsets: number[], headerCount: number, startLineEnd: number, versionMinor: 0 | 1) {
    super(raw, offsets, headerCount, startLineEnd, versionMinor);
    this.method = '';
    this.targetStart = 0;
    this.targetEnd = 0;
    this.targetBuffer = raw;
    this.hostStart = -1;
    this.hostEnd = -1;
    this.hostFromTarget = false;
    this.hostIndex = -1;
    this.upgrade = false;
    this.expectContinue = false;
    this.spacedRequestLine = false;
    this.http2 = false;
    this.madeUpWebsocketKey = undefined;
    this.targetCache = undefined;
    this.hostCache = undefined;
    this.received = undefined;
  }

  /** The request-target (decoded on first use): as received, or as rules rewrote it. */
  get target(): string {
    let t = this.targetCache;
    if (t === undefined) t = this.targetCache = latin1String(this.targetBuffer, this.targetStart, this.targetEnd);
    return t;
  }

  /**
   * The target's string when the caller wrote the head's bytes from it, one byte per (latin1)
   * character (an HTTP/2 request, src/mux/h2/request-head.ts): `target` then decodes nothing.
   */
  knownTarget(target: string): void {
    this.targetCache = target;
  }

  /** The method the client sent (HAProxy's txn->meth: `set-method` does not change it). */
  get receivedMethod(): string {
    return this.received === undefined ? this.method : this.received.method;
  }

  /** The target the client sent (HAProxy logs it: txn->uri is captured before the rules). */
  get receivedTarget(): string {
    return this.received === undefined ? this.target : this.received.target;
  }

  /** True once rules rewrote the request line. */
  get lineRewritten(): boolean {
    return this.received !== undefined;
  }

  /**
   * The request line as `http-request set-method|set-path|set-uri...` leave it: HAProxy edits
   * the message in place, so every later reader (fetches, balancing, the response framing)
   * sees the new method and target. `target` must already be valid (the HeadEditor writing
   * it checked it: visible ASCII). The effective host follows the target as HAProxy's
   * http_update_host: the authority of an absolute-form target (or CONNECT's whole target),
   * else the Host header.
   */
  rewriteRequestLine(method: string, target: string): void {
    if (this.received === undefined) this.received = { method: this.method, target: this.target };
    this.method = method;
    this.targetCache = target;
    this.targetBuffer = latin1Bytes(target);
    this.targetStart = 0;
    this.targetEnd = target.length;
    this.hostCache = undefined;
    const first = target.charCodeAt(0);
    if (first === 0x2f /* / */ || first === 0x2a /* * */) {
      this.hostFromTarget = false;
    } else if (method === 'CONNECT') {
      this.hostFromTarget = true;
      this.hostStart = 0;
      this.hostEnd = target.length;
      return;
    } else {
      const start = uriAuthorityStart(target);
      this.hostFromTarget = start >= 0;
      if (start >= 0) {
        this.hostStart = start;
        this.hostEnd = uriAuthorityEnd(target);
        return;
      }
    }
    if (this.hostIndex >= 0) {
      this.hostStart = this.offsets[4 * this.hostIndex + 2]!;
      this.hostEnd = this.offsets[4 * this.hostIndex + 3]!;
    } else {
      this.hostStart = -1;
      this.hostEnd = -1;
    }
  }

  /**
   * Effective host (decoded on first use): the authority of an absolute-form or authority-form
   * target (RFC 9112 §3.2.2: it overrides Host), else the Host header value; undefined for an
   * HTTP/1.0 request with neither.
   */
  get host(): string | undefined {
    if (this.hostStart < 0) return undefined;
    let h = this.hostCache;
    if (h === undefined) h = this.hostCache = latin1String(this.hostFromTarget ? this.targetBuffer : this.raw, this.hostStart, this.hostEnd);
    return h;
  }

  /** Alias of mustClose, named for the request side: close the client connection after the response. */
  get closeAfterResponse(): boolean {
    return this.mustClose;
  }

  /** The request carries a body (chunked, or Content-Length > 0). */
  get hasBody(): boolean {
    return this.chunked || (this.contentLength !== undefined && this.contentLength > 0);
  }
}

/** A parsed response head. */
export class ResponseHead extends HttpHead {
  status: number;
  reason: string;
  /**
   * Transfer-Encoding present without chunked as its final coding (RFC 9112 §6.3 rule 4): the body
   * runs until the server closes. (A response with neither header may be close-delimited too;
   * that depends on the request method and status, so BodyFramer.startResponse decides it.)
   */
  closeDelimited: boolean;
  /** Connection: upgrade plus an Upgrade header (meaningful with status 101). */
  upgrade: boolean;

  constructor(raw: Uint8Array, offsets: number[], headerCount: number, startLineEnd: number, versionMinor: 0 | 1) {
    super(raw, offsets, headerCount, startLineEnd, versionMinor);
    this.status = 0;
    this.reason = '';
    this.closeDelimited = false;
    this.upgrade = false;
  }

  /** 1xx other than 101: an interim response; the final response follows on the same connection. */
  get interim(): boolean {
    return this.status < 200 && this.status !== 101;
  }
}

/** A message's protocol version as logs show it: `HTTP/2.0`, `HTTP/1.1`, `HTTP/1.0`, or another as received (`HTTP/1.2`). */
export function versionText(head: { readonly http2?: boolean; readonly versionMinor: 0 | 1; readonly oddVersion?: string | undefined }): string {
  return head.http2 === true ? 'HTTP/2.0' : (head.oddVersion ?? (head.versionMinor === 1 ? 'HTTP/1.1' : 'HTTP/1.0'));
}

/** First header value with this (lowercase) name, or undefined. Free-function form of head.get(). */
export function headerValue(head: HttpHead, lowercaseName: Uint8Array | HeaderName): string | undefined {
  return head.get(lowercaseName);
}

/** True when the comma-separated list in buf[start, end) has an element equal to lc (case-insensitive). */
export function listHasToken(buf: Uint8Array, start: number, end: number, lc: Uint8Array): boolean {
  let p = start;
  while (p < end) {
    while (p < end && (buf[p] === SP || buf[p] === HTAB || buf[p] === COMMA)) p++;
    const s = p;
    while (p < end && buf[p] !== COMMA) p++;
    let e = p;
    while (e > s && (buf[e - 1] === SP || buf[e - 1] === HTAB)) e--;
    if (e > s && equalsLower(buf, s, e, lc)) return true;
  }
  return false;
}
