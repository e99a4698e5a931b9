/**
 * Incremental, strict HTTP/1.1 head parsers.
 *
 * A byte-level state machine over Uint8Array chunks. It is resumable at any byte (inside a
 * CRLF, a name, a value, between CR and LF), stops exactly after the head's final LF and
 * reports how many bytes of the chunk it consumed, so pipelined messages and bodies are left
 * for the caller. Each state has a tight inner loop over its byte class; the scanner only
 * checks syntax and records offsets. Once the head is complete and contiguous, one pass over
 * the header offsets (semantics.ts) derives framing facts.
 *
 * Memory: when a head arrives in one chunk (the usual case) it is copied once, into a view of a
 * shared slab (or kept as a view of the chunk with copyHead: false). When it spans chunks, the
 * partial bytes are accumulated in a per-parser buffer bounded by maxHeadSize, then copied once.
 * A fast path handles a complete, ordinary head in one chunk with straight-line loops; anything
 * else (partial head, leading CRLF, any error) goes through the resumable state machine, which
 * is the single source of truth for error codes.
 * An idle parser holds a few hundred bytes (release() drops even those).
 *
 * Usage on a keep-alive connection:
 *   const parser = new RequestHeadParser();
 *   const n = parser.feed(chunk, offset);        // throws HttpParseError on a bad head
 *   if (parser.done) { const head = parser.head!; ...; parser.reset(); }
 *   // continue with chunk[offset + n ...] (body, next pipelined request)
 *
 * Strictness choices where DESIGN.md leaves room (all -> 400 for requests, 502 for responses):
 *   - bare LF or bare CR anywhere in a head: BARE_LF / BARE_CR (HAProxy tolerates bare LF)
 *   - leading empty lines (CRLF) before a request line are skipped, as RFC 9112 §2.2 allows;
 *     they count toward maxHeadSize. Responses must start with "HTTP/".
 *   - request line: exactly `token SP target SP HTTP/DIGIT.DIGIT CRLF`, single spaces; a version
 *     above 1.1 is read as HTTP/1.1 (HAProxy's rule), one below 1.0 or not of that form ->
 *     BAD_VERSION (400, not 505: DESIGN lists no 505)
 *   - target bytes: 0x21..0x7E except '#'; other controls -> CONTROL_CHAR_IN_URI; non-ASCII and
 *     '#' -> BAD_URI; CR/LF before the version -> BAD_REQUEST_LINE
 *   - status line: `HTTP/DIGIT.DIGIT SP 3DIGIT [SP reason] CRLF` (versions as requests'), status 100..599 (the reason and its SP
 *     may be missing, as HAProxy accepts); reason bytes as field values
 *   - header line starting with SP/HTAB (obs-fold, or whitespace after the start line) -> OBS_FOLD
 *   - name: 1*tchar immediately followed by ':' (no whitespace) -> else BAD_HEADER_NAME
 *   - value bytes: HTAB, SP, VCHAR, obs-text; NUL, DEL and other controls -> BAD_HEADER_VALUE
 *   - more than maxHeaders lines -> TOO_MANY_HEADERS; more than maxHeadSize bytes -> HEAD_TOO_LARGE
 *
 * `relaxed` (option accept-invalid-http-request / -response) lets through what HAProxy 2.6 then
 * lets through, minus what could change framing: a header name may hold any visible byte but ':'
 * or obs-text (RELAXED_NAME), and a request target '#' and bytes >= 0x80. Only the resumable
 * state machine knows it: the fast path already bails out on those bytes, so a strict parser pays
 * nothing for it. A relaxed request parser also takes an HTTP/0.9 request (`GET /path` CRLF: no
 * version, no header lines) as HAProxy's h1_process_req_vsn does: as `GET /path HTTP/1.0` with no
 * headers (its head is written so), refused (BAD_VERSION, 400) for another method; a request line
 * without a target stays BAD_REQUEST_LINE. Its line must end in CRLF, as every line here.
 */
import { COLON, CR, FIELD_VALUE, HTAB, LF, RELAXED_NAME, SP, TARGET_CHAR, TCHAR, allocFromSlab, copyBytes, copyToSlab, latin1String, viewOf } from './chars.ts';
import { HttpParseError, type HttpErrorCode } from './errors.ts';
import { type HttpHead, RequestHead, ResponseHead } from './head.ts';
import { analyzeRequest, analyzeResponse } from './semantics.ts';

export interface HeadParserOptions {
  /**
   * Max bytes of a head: start line, header lines and final CRLF (plus leading empty lines).
   * Default 15360: HAProxy's tune.bufsize (16384) minus tune.maxrewrite (1024).
   */
  maxHeadSize?: number;
  /** Max header lines. Default 101 (HAProxy tune.http.maxhdr). */
  maxHeaders?: number;
  /**
   * Copy a head that arrived within one chunk out of the caller's chunk (default true), into a
   * view of a shared 32 KiB slab (see allocFromSlab in chars.ts). With false the head's raw is a
   * view of the caller's chunk: only safe if that memory is never reused (Node hands out fresh
   * Buffers per read). A head that spanned chunks is always copied.
   */
  copyHead?: boolean;
  /**
   * `option accept-invalid-http-request` (request parser) / `accept-invalid-http-response`
   * (response parser): accept the invalid bytes listed in the file comment. Default false.
   */
  relaxed?: boolean;
}

export const DEFAULT_MAX_HEAD_SIZE = 15360;
export const DEFAULT_MAX_HEADERS = 101;

const S_IDLE = 0; // before a request line: leading CRLFs are skipped
const S_IDLE_LF = 1;
const S_METHOD = 2;
const S_TARGET_START = 3;
const S_TARGET = 4;
const S_VERSION = 5; // "HTTP/" DIGIT "." DIGIT
const S_REQ_CR = 6; // after the request's version
const S_START_LF = 7; // LF ending the start line
const S_RES_SP = 8; // SP after the response's version
const S_STATUS = 9;
const S_REASON = 10;
const S_FIELD_START = 11;
const S_NAME = 12;
const S_VALUE = 13;
const S_FIELD_LF = 14;
const S_END_LF = 15;
const S_REQ09_LF = 16; // LF ending an HTTP/0.9 request line (relaxed only)

const VERSION_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

abstract class HeadParser<H extends HttpHead> {
  readonly maxHeadSize: number;
  readonly maxHeaders: number;
  readonly copyHead: boolean;
  /** See HeadParserOptions.relaxed; a server-side parser takes its backend's at each attach. */
  relaxed: boolean;
  /** The parsed head, once done. */
  head: H | undefined;
  /** True once a complete head was parsed (until reset()). */
  done: boolean;
  /** The error that stopped this parser (feed rethrows it until reset()). */
  error: HttpParseError | undefined;

  protected readonly isResponse: boolean;
  private state: number;
  private started: boolean; // first byte of the start line seen
  private scanned: number; // bytes of this message examined so far (leading CRLFs included)
  private acc: Uint8Array | null;
  private accLen: number;
  private offs: number[]; // 4 per header, grows on demand (packed SMI array)
  private count: number;
  private mark: number; // name start, target start...
  private mark2: number; // name end
  private verIdx: number;
  private verMajor = 0;
  /** A version other than HTTP/1.0 and HTTP/1.1 (HTTP/1.2, HTTP/2.0...), read as HTTP/1.1: as received. */
  protected oddVersion: string | undefined = undefined;
  /** Extra spaces were skipped in the request line. */
  protected spaced = false;
  /**
   * Offset in the message of the first byte accepted only because `relaxed` (-1: none), as
   * HAProxy's h1m->err_pos, which the mux then captures for `show errors`.
   */
  relaxedAt = -1;
  private statusDigits: number;
  protected status: number;
  protected methodEnd: number;
  protected targetStart: number;
  protected targetEnd: number;
  protected reasonStart: number;
  protected reasonEnd: number;
  protected startLineEnd: number;
  protected versionMinor: 0 | 1;

  constructor(isResponse: boolean, opts: HeadParserOptions = {}) {
    this.isResponse = isResponse;
    this.maxHeadSize = opts.maxHeadSize ?? DEFAULT_MAX_HEAD_SIZE;
    this.maxHeaders = opts.maxHeaders ?? DEFAULT_MAX_HEADERS;
    this.copyHead = opts.copyHead ?? true;
    this.relaxed = opts.relaxed ?? false;
    if (!(this.maxHeadSize > 0) || !(this.maxHeaders >= 0)) throw new RangeError('maxHeadSize and maxHeaders must be positive');
    this.offs = [];
    this.head = undefined;
    this.done = false;
    this.error = undefined;
    this.state = isResponse ? S_VERSION : S_IDLE;
    this.started = isResponse;
    this.scanned = 0;
    this.acc = null;
    this.accLen = 0;
    this.count = 0;
    this.mark = 0;
    this.mark2 = 0;
    this.verIdx = 0;
    this.statusDigits = 0;
    this.status = 0;
    this.methodEnd = 0;
    this.targetStart = 0;
    this.targetEnd = 0;
    this.reasonStart = 0;
    this.reasonEnd = 0;
    this.startLineEnd = 0;
    this.versionMinor = 1;
  }

  /**
   * Prepares for the next message on the same connection. Keeps small scratch buffers; drops
   * ones grown by an unusually large head so idle connections stay small.
   */
  reset(): void {
    if (this.offs.length > 128) this.offs = [];
    if (this.acc !== null && this.acc.length > 2048) this.acc = null;
    this.head = undefined;
    this.done = false;
    this.error = undefined;
    this.state = this.isResponse ? S_VERSION : S_IDLE;
    this.started = this.isResponse;
    this.scanned = 0;
    this.accLen = 0;
    this.count = 0;
    this.verIdx = 0;
    this.oddVersion = undefined;
    this.spaced = false;
    this.relaxedAt = -1;
    this.statusDigits = 0;
    this.status = 0;
  }

  /**
   * `HTTP/major.minor`, as HAProxy 2.6's h1_process_req_vsn / h1_process_res_vsn take it: 1.0
   * is HTTP/1.0, and any version above it HTTP/1.1 (kept as received for the logs and
   * `req.ver`, written HTTP/1.1 when the message is forwarded). Stricter than HAProxy: a
   * version below 1.0 is refused, where HAProxy forwards it as it came, to a server that may
   * read an HTTP/0.9 request line and the header lines after it as another request.
   */
  private version(major: number, minor: number, at: number): void {
    if (major === 0) throw this.fail('BAD_VERSION', at);
    this.versionMinor = major === 1 && minor === 0 ? 0 : 1;
    if (major !== 1 || minor > 1) this.oddVersion = `HTTP/${major}.${minor}`;
  }

  /** reset() and drop every scratch buffer (for a connection going idle). */
  release(): void {
    this.reset();
    this.offs = [];
    this.acc = null;
  }

  /** Some bytes of the next message (not just leading empty lines) have been received. */
  get inProgress(): boolean {
    return !this.done && this.started && this.scanned > 0;
  }

  /** Bytes of the current head received so far. */
  get bytesReceived(): number {
    return this.scanned;
  }

  /**
   * Parses chunk[start, end). Returns how many bytes it consumed: all of them while the head is
   * incomplete, or up to and including the head's final LF once `done`. Returns 0 when already
   * done. Throws HttpParseError (code + status) on an invalid head, and again on later calls.
   */
  feed(chunk: Uint8Array, start = 0, end: number = chunk.length): number {
    if (this.done) return 0;
    if (this.error !== undefined) throw this.error;
    if (end <= start) return 0;
    if (this.scanned === 0) {
      // Fast path: a whole, ordinary head at the start of this chunk. Anything else (incomplete,
      // leading CRLF, any error) returns -1 and the resumable state machine below redoes it.
      const limit = end - start > this.maxHeadSize ? start + this.maxHeadSize : end;
      const stop = this.isResponse ? this.fastStatusLine(chunk, start, limit) : this.fastRequestLine(chunk, start, limit);
      const headEnd = stop < 0 ? -1 : this.fastFields(chunk, start, stop, limit);
      if (headEnd > 0) {
        this.scanned = headEnd - start;
        this.started = true;
        this.complete(chunk, start, headEnd, start);
        return headEnd - start;
      }
    }
    const budget = this.maxHeadSize - this.scanned;
    if (budget <= 0) throw this.fail('HEAD_TOO_LARGE', this.scanned);
    const stop = end - start > budget ? start + budget : end;
    const offs = this.offs;
    let state = this.state;
    let base = start - this.accLen; // chunk index of the message's first byte (once started)
    let p = start;
    let c = 0;
    let done = false;

    loop: while (p < stop) {
      switch (state) {
        case S_IDLE:
          c = chunk[p]!;
          if (TCHAR[c] === 1) {
            base = p;
            this.started = true;
            state = S_METHOD;
            p++;
            continue;
          }
          if (c === CR) {
            state = S_IDLE_LF;
            p++;
            continue;
          }
          throw this.fail(c === LF ? 'BARE_LF' : 'BAD_REQUEST_LINE', -1);
        case S_IDLE_LF:
          if (chunk[p] !== LF) throw this.fail('BARE_CR', -1);
          state = S_IDLE;
          p++;
          continue;
        case S_METHOD:
          while (p < stop && TCHAR[chunk[p]!] === 1) p++;
          if (p === stop) break loop;
          if (chunk[p] !== SP) throw this.fail('BAD_REQUEST_LINE', p - base, 'bad method');
          this.methodEnd = p - base;
          state = S_TARGET_START;
          p++;
          continue;
        case S_TARGET_START:
          c = chunk[p]!;
          // HAProxy's h1 parser skips any run of spaces between the request line's words.
          if (c === SP) {
            this.spaced = true;
            p++;
            continue;
          }
          if (TARGET_CHAR[c] !== 1) {
            if (!(this.relaxed && relaxedTargetByte(c))) throw this.targetError(c, p - base);
            if (this.relaxedAt < 0) this.relaxedAt = p - base;
          }
          this.targetStart = p - base;
          state = S_TARGET;
          p++;
          continue;
        case S_TARGET:
          while (p < stop) {
            c = chunk[p]!;
            if (c > 0x20 && c < 0x7f && c !== 0x23) p++;
            else break;
          }
          if (p === stop) break loop;
          c = chunk[p]!;
          if (c !== SP) {
            if (this.relaxed && relaxedTargetByte(c)) {
              if (this.relaxedAt < 0) this.relaxedAt = p - base;
              p++;
              continue;
            }
            if (c === CR && this.relaxed) {
              this.targetEnd = p - base;
              state = this.http09(chunk, base, p - base);
              p++;
              continue;
            }
            throw this.targetError(c, p - base);
          }
          this.targetEnd = p - base;
          this.verIdx = 0;
          state = S_VERSION;
          p++;
          continue;
        case S_VERSION: {
          c = chunk[p]!;
          const i = this.verIdx;
          if (i === 0 && c === SP && !this.isResponse) {
            this.spaced = true;
            p++;
            continue;
          }
          if (i === 0 && c === CR && this.relaxed && !this.isResponse) {
            state = this.http09(chunk, base, p - base);
            p++;
            continue;
          }
          if (i < 5) {
            if (c !== VERSION_PREFIX[i]) throw this.fail(this.isResponse ? 'BAD_STATUS_LINE' : 'BAD_REQUEST_LINE', p - base);
            this.verIdx = i + 1;
            p++;
            continue;
          }
          if (i === 6 ? c !== 0x2e : c < 0x30 || c > 0x39) throw this.fail('BAD_VERSION', p - base);
          if (i < 7) {
            if (i === 5) this.verMajor = c - 0x30;
            this.verIdx = i + 1;
            p++;
            continue;
          }
          this.version(this.verMajor, c - 0x30, p - base);
          state = this.isResponse ? S_RES_SP : S_REQ_CR;
          p++;
          continue;
        }
        case S_REQ_CR:
          c = chunk[p]!;
          if (c !== CR) throw this.fail(c === LF ? 'BARE_LF' : c >= 0x30 && c <= 0x39 ? 'BAD_VERSION' : 'BAD_REQUEST_LINE', p - base);
          state = S_START_LF;
          p++;
          continue;
        case S_START_LF:
          if (chunk[p] !== LF) throw this.fail('BARE_CR', p - base);
          p++;
          this.startLineEnd = p - base;
          state = S_FIELD_START;
          continue;
        case S_RES_SP:
          c = chunk[p]!;
          if (c !== SP) throw this.fail(c >= 0x30 && c <= 0x39 ? 'BAD_VERSION' : 'BAD_STATUS_LINE', p - base);
          this.status = 0;
          this.statusDigits = 0;
          state = S_STATUS;
          p++;
          continue;
        case S_STATUS:
          c = chunk[p]!;
          if (this.statusDigits < 3) {
            if (c < 0x30 || c > 0x39) throw this.fail('BAD_STATUS_LINE', p - base);
            this.status = this.status * 10 + (c - 0x30);
            this.statusDigits++;
            p++;
            continue;
          }
          if (this.status < 100 || this.status > 599) throw this.fail('BAD_STATUS', p - base);
          if (c === SP) {
            p++;
            this.reasonStart = p - base;
            state = S_REASON;
            continue;
          }
          if (c === CR) {
            this.reasonStart = this.reasonEnd = p - base;
            state = S_START_LF;
            p++;
            continue;
          }
          throw this.fail(c === LF ? 'BARE_LF' : 'BAD_STATUS_LINE', p - base);
        case S_REASON:
          while (p < stop && FIELD_VALUE[chunk[p]!] === 1) p++;
          if (p === stop) break loop;
          c = chunk[p]!;
          if (c !== CR) throw this.fail(c === LF ? 'BARE_LF' : 'BAD_STATUS_LINE', p - base);
          this.reasonEnd = p - base;
          state = S_START_LF;
          p++;
          continue;
        case S_FIELD_START:
          c = chunk[p]!;
          if (TCHAR[c] === 1) {
            this.mark = p - base;
            state = S_NAME;
            p++;
            continue;
          }
          if (c === CR) {
            state = S_END_LF;
            p++;
            continue;
          }
          if (c === LF) throw this.fail('BARE_LF', p - base);
          if (c === SP || c === HTAB) throw this.fail('OBS_FOLD', p - base);
          if (this.relaxed && RELAXED_NAME[c] === 1) {
            if (this.relaxedAt < 0) this.relaxedAt = p - base;
            this.mark = p - base;
            state = S_NAME;
            p++;
            continue;
          }
          throw this.fail('BAD_HEADER_NAME', p - base);
        case S_NAME:
          while (p < stop && TCHAR[chunk[p]!] === 1) p++;
          if (p === stop) break loop;
          c = chunk[p]!;
          if (c !== COLON) {
            if (this.relaxed && RELAXED_NAME[c] === 1) {
              if (this.relaxedAt < 0) this.relaxedAt = p - base;
              p++;
              continue;
            }
            throw this.fail('BAD_HEADER_NAME', p - base);
          }
          this.mark2 = p - base;
          state = S_VALUE;
          p++;
          continue;
        case S_VALUE: {
          while (p < stop) {
            c = chunk[p]!;
            if ((c > 0x1f && c !== 0x7f) || c === HTAB) p++;
            else break;
          }
          if (p === stop) break loop;
          c = chunk[p]!;
          if (c !== CR) throw this.fail(c === LF ? 'BARE_LF' : 'BAD_HEADER_VALUE', p - base);
          const n = this.count;
          if (n >= this.maxHeaders) throw this.fail('TOO_MANY_HEADERS', p - base);
          const k = 4 * n;
          offs[k] = this.mark;
          offs[k + 1] = this.mark2;
          offs[k + 2] = this.mark2 + 1;
          offs[k + 3] = p - base;
          this.count = n + 1;
          state = S_FIELD_LF;
          p++;
          continue;
        }
        case S_FIELD_LF:
          if (chunk[p] !== LF) throw this.fail('BARE_CR', p - base);
          state = S_FIELD_START;
          p++;
          continue;
        case S_END_LF:
          if (chunk[p] !== LF) throw this.fail('BARE_CR', p - base);
          p++;
          done = true;
          break loop;
        case S_REQ09_LF:
          if (chunk[p] !== LF) throw this.fail('BARE_CR', p - base);
          p++;
          this.scanned += p - start;
          this.completeHttp09(chunk, start);
          return p - start;
      }
    }

    this.scanned += p - start;
    if (done) {
      this.complete(chunk, start, p, base);
      return p - start;
    }
    if (p < end) throw this.fail('HEAD_TOO_LARGE', this.scanned);
    this.state = state;
    if (this.started) this.append(chunk, base > start ? base : start, p);
    return p - start;
  }

  /** Request line at b[start]; returns the offset after its CRLF, or -1 (not simple / incomplete). */
  private fastRequestLine(b: Uint8Array, start: number, end: number): number {
    let p = start;
    while (p < end && TCHAR[b[p]!] === 1) p++;
    if (p === start || p >= end || b[p] !== SP) return -1;
    this.methodEnd = p - start;
    const ts = ++p;
    while (p < end) {
      const c = b[p]!;
      if (c > 0x20 && c < 0x7f && c !== 0x23) p++;
      else break;
    }
    if (p === ts || p + 10 > end || b[p] !== SP) return -1;
    this.targetStart = ts - start;
    this.targetEnd = p - start;
    p++;
    if (b[p] !== 0x48 || b[p + 1] !== 0x54 || b[p + 2] !== 0x54 || b[p + 3] !== 0x50 || b[p + 4] !== 0x2f || b[p + 5] !== 0x31 || b[p + 6] !== 0x2e) return -1;
    const minor = b[p + 7]!;
    if ((minor !== 0x30 && minor !== 0x31) || b[p + 8] !== CR || b[p + 9] !== LF) return -1;
    this.versionMinor = minor === 0x31 ? 1 : 0;
    return p + 10;
  }

  /** Status line at b[start]; returns the offset after its CRLF, or -1. */
  private fastStatusLine(b: Uint8Array, start: number, end: number): number {
    let p = start;
    if (p + 13 > end) return -1;
    if (b[p] !== 0x48 || b[p + 1] !== 0x54 || b[p + 2] !== 0x54 || b[p + 3] !== 0x50 || b[p + 4] !== 0x2f || b[p + 5] !== 0x31 || b[p + 6] !== 0x2e) return -1;
    const minor = b[p + 7]!;
    if ((minor !== 0x30 && minor !== 0x31) || b[p + 8] !== SP) return -1;
    const d0 = b[p + 9]! - 0x30;
    const d1 = b[p + 10]! - 0x30;
    const d2 = b[p + 11]! - 0x30;
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || b[p + 12] !== SP) return -1;
    this.versionMinor = minor === 0x31 ? 1 : 0;
    this.status = d0 * 100 + d1 * 10 + d2;
    p += 13;
    const rs = p;
    while (p < end) {
      const c = b[p]!;
      if ((c > 0x1f && c !== 0x7f) || c === HTAB) p++;
      else break;
    }
    if (p + 1 >= end || b[p] !== CR || b[p + 1] !== LF) return -1;
    this.reasonStart = rs - start;
    this.reasonEnd = p - start;
    return p + 2;
  }

  /** Header lines from b[p] through the final CRLF; returns the offset after it, or -1. */
  private fastFields(b: Uint8Array, start: number, p: number, end: number): number {
    this.startLineEnd = p - start;
    const offs = this.offs;
    const max = this.maxHeaders;
    let n = 0;
    for (;;) {
      if (p + 1 >= end) return -1;
      if (b[p] === CR) {
        if (b[p + 1] !== LF) return -1;
        this.count = n;
        return p + 2;
      }
      const ns = p;
      while (p < end && TCHAR[b[p]!] === 1) p++;
      if (p === ns || p >= end || b[p] !== COLON || n >= max) return -1;
      const ne = p++;
      while (p < end) {
        const c = b[p]!;
        if ((c > 0x1f && c !== 0x7f) || c === HTAB) p++;
        else break;
      }
      if (p + 1 >= end || b[p] !== CR || b[p + 1] !== LF) return -1;
      const k = 4 * n++;
      offs[k] = ns - start;
      offs[k + 1] = ne - start;
      offs[k + 2] = ne + 1 - start;
      offs[k + 3] = p - start;
      p += 2;
    }
  }

  private append(chunk: Uint8Array, from: number, to: number): void {
    const need = this.accLen + (to - from);
    let acc = this.acc;
    if (acc === null || acc.length < need) {
      let size = acc === null ? 1024 : acc.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      if (acc !== null) copyBytes(grown, 0, acc, 0, this.accLen);
      this.acc = acc = grown;
    }
    copyBytes(acc, this.accLen, chunk, from, to);
    this.accLen = need;
  }

  /**
   * A relaxed request line ended at `crAt` (offset in the message) without a version: HTTP/0.9,
   * taken for GET only (RFC 1945, as HAProxy). Returns the state that reads its LF.
   */
  private http09(chunk: Uint8Array, base: number, crAt: number): number {
    const m = this.methodEnd;
    // The method's bytes are in this chunk or in the accumulated part (a line split across reads).
    const at = (i: number): number => (i < this.accLen ? this.acc![i]! : chunk[base + i]!);
    if (m !== 3 || at(0) !== 0x47 || at(1) !== 0x45 || at(2) !== 0x54) throw this.fail('BAD_VERSION', crAt);
    return S_REQ09_LF;
  }

  /**
   * The head of an HTTP/0.9 request (its request line just ended in CRLF): written as the
   * HTTP/1.0 request HAProxy makes of it, `METHOD SP TARGET SP HTTP/1.0 CRLF CRLF`.
   */
  private completeHttp09(chunk: Uint8Array, start: number): void {
    const line = this.targetEnd;
    const raw = allocFromSlab(line + 13);
    // The line's first accLen bytes came in earlier reads (the CR is in this one: line >= accLen).
    const kept = this.accLen;
    if (kept > 0) copyBytes(raw, 0, this.acc!, 0, kept);
    copyBytes(raw, kept, chunk, start, start + (line - kept));
    const tail = ' HTTP/1.0\r\n\r\n';
    for (let i = 0; i < tail.length; i++) raw[line + i] = tail.charCodeAt(i);
    this.versionMinor = 0;
    this.startLineEnd = line + 11;
    this.count = 0;
    this.settle(this.build(raw, [], 0));
  }

  private complete(chunk: Uint8Array, start: number, p: number, base: number): void {
    let raw: Uint8Array;
    if (this.accLen === 0) {
      raw = this.copyHead ? copyToSlab(chunk, base, p) : viewOf(chunk, base, p);
    } else {
      // the head spanned chunks: join the accumulated part and this chunk's part in one copy;
      // the accumulation buffer stays with the parser for the next spanning head
      const n = this.accLen;
      raw = allocFromSlab(n + (p - start));
      copyBytes(raw, 0, this.acc!, 0, n);
      copyBytes(raw, n, chunk, start, p);
    }
    this.settle(this.build(raw, this.offs.slice(0, 4 * this.count), this.count));
  }

  /** The head is built: its semantics checked, it is the parser's result. */
  private settle(head: H): void {
    try {
      this.analyze(head);
    } catch (err) {
      // the accumulated bytes stay for inputAtError(), until reset()
      if (err instanceof HttpParseError) this.error = err;
      throw err;
    }
    this.accLen = 0;
    this.head = head;
    this.done = true;
  }

  /**
   * After feed(chunk, start, end) threw: the bytes of the refused message the parser was given
   * (those kept from earlier chunks, then chunk[start, end) with what followed the head in it),
   * and where in them the error is (the error's offset, else the head's end or the bytes' end);
   * `valueError`: a header's value refused once its line was read. For `show errors` only: it copies.
   */
  inputAtError(chunk: Uint8Array, start: number, end: number = chunk.length): { bytes: Uint8Array; errorAt: number; valueError: boolean } {
    const kept = this.accLen;
    let skipped = 0;
    if (kept === 0) {
      // the leading empty lines of this chunk are in it, before the message the offset counts from
      while (start + skipped + 1 < end && chunk[start + skipped] === CR && chunk[start + skipped + 1] === LF) skipped += 2;
    }
    const bytes = new Uint8Array(kept + (end - start));
    if (kept > 0) copyBytes(bytes, 0, this.acc!, 0, kept);
    copyBytes(bytes, kept, chunk, start, end);
    const error = this.error;
    const offset = error?.offset ?? -1;
    if (offset >= 0) return { bytes, errorAt: skipped + offset, valueError: false };
    if (error?.code === 'BAD_CONTENT_LENGTH' || error?.code === 'DUPLICATE_CONTENT_LENGTH') {
      // HAProxy finds it at the end of the header's line, pointing at its value
      const at = contentLengthErrorAt(bytes, skipped, error.code === 'DUPLICATE_CONTENT_LENGTH');
      if (at >= 0) return { bytes, errorAt: at, valueError: true };
    }
    // another refused head (semantics.ts) has no offset: HAProxy then reports where its parser stood
    return { bytes, errorAt: Math.min(bytes.byteLength, this.scanned), valueError: false };
  }

  protected abstract build(raw: Uint8Array, offsets: number[], count: number): H;
  protected abstract analyze(head: H): void;

  private targetError(c: number, offset: number): HttpParseError {
    if (c === CR || c === LF || c === SP) return this.fail('BAD_REQUEST_LINE', offset);
    if (c >= 0x80 || c === 0x23) return this.fail('BAD_URI', offset);
    return this.fail('CONTROL_CHAR_IN_URI', offset);
  }

  private fail(code: HttpErrorCode, offset: number, detail?: string): HttpParseError {
    const err = new HttpParseError(code, this.isResponse, offset, detail);
    this.error = err;
    return err;
  }
}

/** Parses request heads (see the file comment for the rules). */
export class RequestHeadParser extends HeadParser<RequestHead> {
  constructor(opts?: HeadParserOptions) {
    super(false, opts);
  }

  protected build(raw: Uint8Array, offsets: number[], count: number): RequestHead {
    const h = new RequestHead(raw, offsets, count, this.startLineEnd, this.versionMinor);
    h.method = methodString(raw, this.methodEnd);
    h.targetStart = this.targetStart;
    h.targetEnd = this.targetEnd;
    h.spacedRequestLine = this.spaced;
    h.oddVersion = this.oddVersion;
    return h;
  }

  protected analyze(head: RequestHead): void {
    analyzeRequest(head);
  }
}

/** Parses response heads (see the file comment for the rules). */
export class ResponseHeadParser extends HeadParser<ResponseHead> {
  constructor(opts?: HeadParserOptions) {
    super(true, opts);
  }

  protected build(raw: Uint8Array, offsets: number[], count: number): ResponseHead {
    const h = new ResponseHead(raw, offsets, count, this.startLineEnd, this.versionMinor);
    h.status = this.status;
    h.reason = reasonString(raw, this.reasonStart, this.reasonEnd);
    h.oddVersion = this.oddVersion;
    return h;
  }

  protected analyze(head: ResponseHead): void {
    analyzeResponse(head);
  }
}

/**
 * Reads back a whole response head the proxy wrote itself (a reply, a cache hit), to keep it:
 * the head is a view of `bytes`, not a copy in the parsers' shared slab, which a head kept past
 * one exchange would pin. `maxHeaders` is the head's own field bound (tune.http.maxhdr plus what
 * the writer adds); any size is taken, as an errorfile may be large.
 */
export function readResponseHead(bytes: Uint8Array, maxHeaders: number): ResponseHead {
  const parser = new ResponseHeadParser({ maxHeaders, maxHeadSize: 1 << 20, copyHead: false });
  parser.feed(bytes, 0);
  return parser.head as ResponseHead;
}

/**
 * Where the value of the faulty Content-Length header starts in a refused head (cold path): the
 * first one that is no number (or list of one number), or with `differing`, the first that says
 * another length than the first. -1 if none is found.
 */
function contentLengthErrorAt(bytes: Uint8Array, from: number, differing: boolean): number {
  const text = latin1String(bytes, from, bytes.byteLength);
  const headEnd = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, headEnd < 0 ? text.length : headEnd).split('\r\n');
  let pos = from + (lines[0]?.length ?? 0) + 2;
  let first: string | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).toLowerCase() === 'content-length') {
      const valueStart = colon + 1 + (line.slice(colon + 1).length - line.slice(colon + 1).trimStart().length);
      const value = line.slice(valueStart).trim();
      const values = value.split(',').map((v) => v.trim());
      const valid = values.every((v) => /^\d+$/.test(v) && BigInt(v) === BigInt(values[0] as string));
      if (!differing && !valid) return pos + valueStart;
      if (differing && valid) {
        if (first === undefined) first = String(BigInt(values[0] as string));
        else if (String(BigInt(values[0] as string)) !== first) return pos + valueStart;
      }
    }
    pos += line.length + 2;
  }
  return -1;
}

/** A target byte HAProxy 2.6 refuses only without accept-invalid-http-request: '#' and non-ASCII. */
function relaxedTargetByte(c: number): boolean {
  return c === 0x23 || c >= 0x80;
}

/** The method as a string; the nine RFC 9110 methods return interned constants. */
function methodString(raw: Uint8Array, n: number): string {
  const c0 = raw[0];
  switch (n) {
    case 3:
      if (c0 === 0x47 && raw[1] === 0x45 && raw[2] === 0x54) return 'GET';
      if (c0 === 0x50 && raw[1] === 0x55 && raw[2] === 0x54) return 'PUT';
      break;
    case 4:
      if (c0 === 0x48 && raw[1] === 0x45 && raw[2] === 0x41 && raw[3] === 0x44) return 'HEAD';
      if (c0 === 0x50 && raw[1] === 0x4f && raw[2] === 0x53 && raw[3] === 0x54) return 'POST';
      break;
    case 5:
      if (matches(raw, 'PATCH')) return 'PATCH';
      if (matches(raw, 'TRACE')) return 'TRACE';
      break;
    case 6:
      if (matches(raw, 'DELETE')) return 'DELETE';
      break;
    case 7:
      if (matches(raw, 'OPTIONS')) return 'OPTIONS';
      if (matches(raw, 'CONNECT')) return 'CONNECT';
      break;
  }
  return latin1String(raw, 0, n);
}

function matches(raw: Uint8Array, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (raw[i] !== s.charCodeAt(i)) return false;
  return true;
}

const COMMON_REASONS = ['OK', 'Not Found', 'No Content', 'Not Modified', 'Found', 'Moved Permanently', 'Switching Protocols', 'Continue'];

/** The reason phrase; common ones come back as interned constants. */
function reasonString(raw: Uint8Array, s: number, e: number): string {
  const n = e - s;
  for (const r of COMMON_REASONS) {
    if (r.length !== n) continue;
    let i = 0;
    while (i < n && raw[s + i] === r.charCodeAt(i)) i++;
    if (i === n) return r;
  }
  return latin1String(raw, s, e);
}
