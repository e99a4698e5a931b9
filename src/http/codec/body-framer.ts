/**
 * Finds where a message body ends, validating chunked framing on the way, in O(1) memory.
 *
 * The proxy forwards bodies as received (chunked stays chunked, extensions and trailers pass
 * through), so the framer's job is to say how many bytes of each chunk belong to the current
 * message, so the next pipelined message starts at the right byte, and to reject bad framing.
 * Payload byte ranges are reported through the optional `onData` hook (free when unset).
 *
 * Modes:
 *   none     no body (GET without length, HEAD/1xx/204/304 responses, CONNECT 2xx, 101)
 *   length   Content-Length bytes
 *   chunked  chunk-size [ext] CRLF data CRLF ... 0 [ext] CRLF trailers CRLF
 *   close    responses only: until the server closes (call eof())
 *
 * Chunked strictness (requests 400, responses 502):
 *   - chunk-size: 1*HEXDIG with a value below 2^52 (HAProxy's h1_parse_chunk_size: 13 significant
 *     hex digits); leading zeros are allowed, any number of them within the size line's bound
 *     (maxChunkLine, below HAProxy's whole-buffer bound). The zeros after the first one are
 *     reported as `discard` so the proxy never forwards them: HAProxy re-chunks, and a peer that
 *     counts digits (Go allows 16) or truncates long sizes must see the same size as we did.
 *     Else BAD_CHUNK
 *   - extensions: `*( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )`, checked at
 *     byte level (tchar, '=', ';', SP/HTAB, quoted strings with quoted-pairs); SP/HTAB after the
 *     size only before ';'. The size line is at most maxChunkLine bytes. Else BAD_CHUNK
 *   - bare LF anywhere in framing -> BARE_LF; CR not followed by LF -> BAD_CHUNK
 *   - data not followed by CRLF -> BAD_CHUNK
 *   - trailer lines are checked like header lines (BAD_HEADER_NAME / BAD_HEADER_VALUE / OBS_FOLD);
 *     trailers named content-length, transfer-encoding or host -> BAD_TRAILER (RFC 9110 §6.5.1:
 *     framing and routing fields must not be trailers); more than maxHeadSize bytes or
 *     maxHeaders trailer lines -> TRAILERS_TOO_LARGE
 *   - eof() before the end of a length or chunked body -> INCOMPLETE_MESSAGE
 */
import { COLON, CR, DQUOTE, BACKSLASH, FIELD_VALUE, HEX, HTAB, LF, LOWER, SEMI, SP, TCHAR, latin1Bytes } from './chars.ts';
import { HttpParseError, type HttpErrorCode } from './errors.ts';
import type { RequestHead, ResponseHead } from './head.ts';
import { DEFAULT_MAX_HEAD_SIZE, DEFAULT_MAX_HEADERS } from './head-parser.ts';

export type BodyMode = 'none' | 'length' | 'chunked' | 'close';

export interface BodyFramerOptions {
  /** Max bytes of the trailer section (default 15360, as heads). */
  maxHeadSize?: number;
  /** Max trailer lines (default 101, as heads). */
  maxHeaders?: number;
  /** Max bytes of a chunk-size line including extensions and CRLF (default 4096). */
  maxChunkLine?: number;
}

const C_SIZE_START = 0;
const C_SIZE = 1;
const C_SIZE_WS = 2; // BWS after the size: only ';' may follow
const C_EXT = 3;
const C_EXT_QUOTED = 4;
const C_EXT_QP = 5;
const C_SIZE_LF = 6;
const C_DATA = 7;
const C_DATA_CR = 8;
const C_DATA_LF = 9;
const C_TRAILER_START = 10;
const C_TR_NAME = 11;
const C_TR_VALUE = 12;
const C_TR_LF = 13;
const C_END_LF = 14;

/** HAProxy refuses chunk sizes from 2^52 up ("never feed bogus values to languages using floats"). */
const CHUNK_SIZE_LIMIT = 2 ** 52;
const ZERO = 0x30;
const FORBIDDEN_TRAILERS: readonly Uint8Array[] = ['content-length', 'transfer-encoding', 'host'].map(latin1Bytes);
const NAME_SCRATCH = 17; // longest forbidden trailer name

export class BodyFramer {
  mode: BodyMode;
  /** The body is complete; feed() consumes nothing more. */
  done: boolean;
  /** Payload bytes seen so far (chunk data, not framing). */
  payloadBytes: number;
  /** Bytes of framing and payload consumed so far for this body. */
  bytesConsumed: number;
  /** length mode: bytes still expected. chunked mode: bytes left in the current chunk. */
  remaining: number;
  /** Called with each payload range (chunk data or length/close body bytes) if set. */
  onData: ((chunk: Uint8Array, start: number, end: number) => void) | null;
  error: HttpParseError | undefined;
  /**
   * The bytes the last feed() consumed are redundant leading zeros of a chunk size: they belong
   * to the body but must not be forwarded (feed() returns them alone, never mixed with others).
   */
  discard: boolean;

  private isResponse: boolean;
  private state: number;
  private lineBytes: number;
  private trailerBytes: number;
  private trailerCount: number;
  private nameLen: number;
  /** Made at the first trailer: most bodies have none, and a typed array is costly to make. */
  private nameScratch: Uint8Array | undefined;
  readonly maxHeadSize: number;
  readonly maxHeaders: number;
  readonly maxChunkLine: number;

  constructor(opts: BodyFramerOptions = {}) {
    this.mode = 'none';
    this.done = true;
    this.payloadBytes = 0;
    this.bytesConsumed = 0;
    this.remaining = 0;
    this.onData = null;
    this.error = undefined;
    this.discard = false;
    this.isResponse = false;
    this.state = C_SIZE_START;
    this.lineBytes = 0;
    this.trailerBytes = 0;
    this.trailerCount = 0;
    this.nameLen = 0;
    this.nameScratch = undefined;
    this.maxHeadSize = opts.maxHeadSize ?? DEFAULT_MAX_HEAD_SIZE;
    this.maxHeaders = opts.maxHeaders ?? DEFAULT_MAX_HEADERS;
    this.maxChunkLine = opts.maxChunkLine ?? 4096;
  }

  /** Frames the body of a parsed request: chunked, Content-Length, or none. */
  startRequest(head: RequestHead): this {
    if (head.chunked) return this.setChunked(false);
    if (head.contentLength !== undefined) return this.setLength(head.contentLength, false);
    return this.setNone(false);
  }

  /**
   * Frames the body of a parsed response to a request with `requestMethod` (RFC 9112 §6.3):
   * none for HEAD, 1xx, 204, 304 and a 2xx answer to CONNECT; else chunked, Content-Length, or
   * until close.
   */
  startResponse(head: ResponseHead, requestMethod: string): this {
    if (responseHasNoBody(head.status, requestMethod)) {
      return this.setNone(true);
    }
    if (head.chunked) return this.setChunked(true);
    if (head.closeDelimited) return this.setUntilClose();
    if (head.contentLength !== undefined) return this.setLength(head.contentLength, true);
    return this.setUntilClose();
  }

  setNone(isResponse = false): this {
    this.begin('none', isResponse);
    return this;
  }

  setLength(n: number, isResponse = false): this {
    this.begin('length', isResponse);
    this.remaining = n;
    this.done = n === 0;
    return this;
  }

  setChunked(isResponse = false): this {
    this.begin('chunked', isResponse);
    this.done = false;
    return this;
  }

  /** Responses only: the body ends when the server closes the connection. */
  setUntilClose(): this {
    this.begin('close', true);
    this.done = false;
    return this;
  }

  private begin(mode: BodyMode, isResponse: boolean): void {
    this.mode = mode;
    this.isResponse = isResponse;
    this.done = true;
    this.payloadBytes = 0;
    this.bytesConsumed = 0;
    this.remaining = 0;
    this.error = undefined;
    this.discard = false;
    this.state = C_SIZE_START;
    this.lineBytes = 0;
    this.trailerBytes = 0;
    this.trailerCount = 0;
  }

  /**
   * The peer closed its side. Completes a close-delimited body; throws INCOMPLETE_MESSAGE when a
   * length or chunked body was cut short. Returns true when the body is complete.
   */
  eof(): boolean {
    if (this.done) return true;
    if (this.mode === 'close') {
      this.done = true;
      return true;
    }
    throw this.fail('INCOMPLETE_MESSAGE', `${this.mode} body cut short`);
  }

  /**
   * Consumes body bytes from chunk[start, end). Returns how many belong to this body: all of them
   * until the end is found, then up to and including its last byte (`done` is then true).
   */
  feed(chunk: Uint8Array, start = 0, end: number = chunk.length): number {
    if (this.error !== undefined) throw this.error;
    this.discard = false;
    if (this.done || end <= start) return 0;
    let n: number;
    switch (this.mode) {
      case 'length': {
        const avail = end - start;
        n = avail < this.remaining ? avail : this.remaining;
        this.remaining -= n;
        this.payloadBytes += n;
        if (this.onData !== null && n > 0) this.onData(chunk, start, start + n);
        if (this.remaining === 0) this.done = true;
        break;
      }
      case 'chunked':
        n = this.feedChunked(chunk, start, end);
        break;
      case 'close':
        n = end - start;
        this.payloadBytes += n;
        if (this.onData !== null) this.onData(chunk, start, end);
        break;
      default:
        n = 0;
    }
    this.bytesConsumed += n;
    return n;
  }

  private feedChunked(chunk: Uint8Array, start: number, end: number): number {
    let p = start;
    let state = this.state;
    let c = 0;
    let finished = false;
    loop: while (p < end) {
      switch (state) {
        case C_SIZE_START:
          c = HEX[chunk[p]!]!;
          if (c === 0xff) throw this.fail(chunk[p] === LF ? 'BARE_LF' : 'BAD_CHUNK', 'chunk size expected', this.bytesConsumed + p - start);
          this.remaining = c;
          this.lineBytes = 1;
          state = C_SIZE;
          p++;
          continue;
        case C_SIZE: {
          const b = chunk[p]!;
          c = HEX[b]!;
          if (c !== 0xff) {
            if (b === ZERO && this.remaining === 0) {
              // A zero after the size's first zero: returned alone, as bytes not to forward.
              if (p > start) break loop;
              while (p < end && chunk[p] === ZERO) {
                if (++this.lineBytes > this.maxChunkLine) throw this.fail('BAD_CHUNK', 'chunk size line too long', this.bytesConsumed + p - start);
                p++;
              }
              this.discard = true;
              break loop;
            }
            const v = this.remaining * 16 + c;
            if (v >= CHUNK_SIZE_LIMIT) throw this.fail('BAD_CHUNK', 'chunk size overflow', this.bytesConsumed + p - start);
            if (++this.lineBytes > this.maxChunkLine) throw this.fail('BAD_CHUNK', 'chunk size line too long', this.bytesConsumed + p - start);
            this.remaining = v;
            p++;
            continue;
          }
          this.lineBytes++;
          p++;
          if (b === CR) state = C_SIZE_LF;
          else if (b === SEMI) state = C_EXT;
          else if (b === SP || b === HTAB) state = C_SIZE_WS;
          else throw this.fail(b === LF ? 'BARE_LF' : 'BAD_CHUNK', 'bad chunk size', this.bytesConsumed + p - 1 - start);
          continue;
        }
        case C_SIZE_WS:
        case C_EXT:
        case C_EXT_QUOTED:
        case C_EXT_QP: {
          // extension bytes: validated loosely, bounded by maxChunkLine
          const b = chunk[p]!;
          if (++this.lineBytes > this.maxChunkLine) throw this.fail('BAD_CHUNK', 'chunk size line too long', this.bytesConsumed + p - start);
          p++;
          if (state === C_EXT) {
            if (TCHAR[b] === 1 || b === 0x3d || b === SEMI || b === SP || b === HTAB) continue;
            if (b === DQUOTE) state = C_EXT_QUOTED;
            else if (b === CR) state = C_SIZE_LF;
            else throw this.fail(b === LF ? 'BARE_LF' : 'BAD_CHUNK', 'bad chunk extension', this.bytesConsumed + p - 1 - start);
          } else if (state === C_EXT_QUOTED) {
            if (b === DQUOTE) state = C_EXT;
            else if (b === BACKSLASH) state = C_EXT_QP;
            else if (FIELD_VALUE[b] !== 1) throw this.fail(b === LF ? 'BARE_LF' : 'BAD_CHUNK', 'bad chunk extension', this.bytesConsumed + p - 1 - start);
          } else if (state === C_EXT_QP) {
            if (FIELD_VALUE[b] !== 1) throw this.fail(b === LF ? 'BARE_LF' : 'BAD_CHUNK', 'bad chunk extension', this.bytesConsumed + p - 1 - start);
            state = C_EXT_QUOTED;
          } else {
            if (b === SEMI) state = C_EXT;
            else if (b !== SP && b !== HTAB) throw this.fail(b === LF ? 'BARE_LF' : 'BAD_CHUNK', 'whitespace after chunk size', this.bytesConsumed + p - 1 - start);
          }
          continue;
        }
        case C_SIZE_LF:
          if (chunk[p] !== LF) throw this.fail('BAD_CHUNK', 'CR without LF', this.bytesConsumed + p - start);
          p++;
          if (this.remaining === 0) {
            state = C_TRAILER_START;
          } else {
            state = C_DATA;
          }
          continue;
        case C_DATA: {
          const avail = end - p;
          const n = avail < this.remaining ? avail : this.remaining;
          if (this.onData !== null) this.onData(chunk, p, p + n);
          p += n;
          this.payloadBytes += n;
          this.remaining -= n;
          if (this.remaining === 0) state = C_DATA_CR;
          continue;
        }
        case C_DATA_CR:
          if (chunk[p] !== CR) throw this.fail(chunk[p] === LF ? 'BARE_LF' : 'BAD_CHUNK', 'CRLF expected after chunk data', this.bytesConsumed + p - start);
          state = C_DATA_LF;
          p++;
          continue;
        case C_DATA_LF:
          if (chunk[p] !== LF) throw this.fail('BAD_CHUNK', 'CRLF expected after chunk data', this.bytesConsumed + p - start);
          state = C_SIZE_START;
          p++;
          continue;
        case C_TRAILER_START:
          c = chunk[p]!;
          this.trailerByte();
          p++;
          if (TCHAR[c] === 1) {
            (this.nameScratch ??= new Uint8Array(NAME_SCRATCH))[0] = LOWER[c]!;
            this.nameLen = 1;
            state = C_TR_NAME;
          } else if (c === CR) {
            state = C_END_LF;
          } else {
            throw this.fail(c === LF ? 'BARE_LF' : c === SP || c === HTAB ? 'OBS_FOLD' : 'BAD_HEADER_NAME', 'bad trailer', this.bytesConsumed + p - 1 - start);
          }
          continue;
        case C_TR_NAME:
          c = chunk[p]!;
          this.trailerByte();
          p++;
          if (TCHAR[c] === 1) {
            if (this.nameLen < NAME_SCRATCH) this.nameScratch![this.nameLen] = LOWER[c]!;
            this.nameLen++;
            continue;
          }
          if (c !== COLON) throw this.fail('BAD_HEADER_NAME', 'bad trailer name', this.bytesConsumed + p - 1 - start);
          if (this.forbiddenTrailer()) throw this.fail('BAD_TRAILER', 'framing field in trailers', this.bytesConsumed + p - 1 - start);
          if (++this.trailerCount > this.maxHeaders) throw this.fail('TRAILERS_TOO_LARGE', 'too many trailers', this.bytesConsumed + p - 1 - start);
          state = C_TR_VALUE;
          continue;
        case C_TR_VALUE:
          c = chunk[p]!;
          this.trailerByte();
          p++;
          if (FIELD_VALUE[c] === 1) continue;
          if (c === CR) state = C_TR_LF;
          else throw this.fail(c === LF ? 'BARE_LF' : 'BAD_HEADER_VALUE', 'bad trailer value', this.bytesConsumed + p - 1 - start);
          continue;
        case C_TR_LF:
          this.trailerByte();
          if (chunk[p] !== LF) throw this.fail('BAD_CHUNK', 'CR without LF in trailers', this.bytesConsumed + p - start);
          state = C_TRAILER_START;
          p++;
          continue;
        case C_END_LF:
          if (chunk[p] !== LF) throw this.fail('BAD_CHUNK', 'CR without LF after last chunk', this.bytesConsumed + p - start);
          p++;
          finished = true;
          break loop;
      }
    }
    this.state = state;
    if (finished) this.done = true;
    return p - start;
  }

  private trailerByte(): void {
    if (++this.trailerBytes > this.maxHeadSize) throw this.fail('TRAILERS_TOO_LARGE', 'trailers too large');
  }

  private forbiddenTrailer(): boolean {
    const n = this.nameLen;
    for (const f of FORBIDDEN_TRAILERS) {
      if (f.length !== n) continue;
      let i = 0;
      while (i < n && this.nameScratch![i] === f[i]) i++;
      if (i === n) return true;
    }
    return false;
  }

  private fail(code: HttpErrorCode, detail: string, offset = -1): HttpParseError {
    const err = new HttpParseError(code, this.isResponse, offset, detail);
    this.error = err;
    return err;
  }
}

/** RFC 9112 §6.3: a response to HEAD, a 1xx, 204 or 304, and a 2xx answer to CONNECT carry no body. */
export function responseHasNoBody(status: number, requestMethod: string): boolean {
  return requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304 || (requestMethod === 'CONNECT' && status < 300);
}
