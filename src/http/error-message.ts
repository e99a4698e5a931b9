/**
 * An error file read as HAProxy 2.6 reads it (http_str_to_htx): the file must be a complete
 * HTTP/1 response — status line, header block, then exactly the payload its Content-Length
 * announces. HAProxy parses it once, at configuration load, with its H1 response parser
 * (h1_headers_to_hdr_list), which is more lenient than the wire codec (bare LF line ends,
 * obs-fold, a status code of any length, no reason phrase), and refuses the file with one of
 * its messages otherwise:
 *
 *   unable to parse headers (error offset: 19)
 *   invalid http version (HTTP/1.10)
 *   invalid http status code for an error message (100)
 *   chunk-encoded payload not supported
 *   message payload not expected
 *   payload size does not match the announced content-length (6 != 4)
 *
 * Runs at configuration time only; nothing here is on a request path.
 */
import { COMMA, CR, DQUOTE, HTAB, LF, SP, TCHAR } from './codec/chars.ts';

/** A parsed error file: what HAProxy keeps as an HTX message. */
export interface ErrorMessage {
  /** The version as written (`HTTP/1.0`); sent as is unless `version11`. */
  readonly version: string;
  /** HTTP/1.1 or above: HAProxy's H1 mux writes `HTTP/1.1` then. */
  readonly version11: boolean;
  /** The status code as written, and its value (HAProxy keeps it in 16 bits). */
  readonly code: string;
  readonly status: number;
  readonly reason: string;
  /** Header fields in file order, names lower-cased (HTX), values trimmed. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
  /**
   * The payload's end is known (a Content-Length, or a 204/304): the connection may be kept
   * after it. Without it the payload ends with the connection.
   */
  readonly hasLength: boolean;
}

export type ErrorMessageParse =
  /** `message` is undefined for an empty file: the proxy then answers nothing and closes. */
  | { readonly ok: true; readonly message: ErrorMessage | undefined }
  | { readonly ok: false; readonly error: string };

/** HAProxy's tune.http.maxhdr: header slots, one of which ends the list. */
const MAX_HEADER_SLOTS = 101;

/** HAProxy's HTTP_IS_VER_TOKEN: upper-case letters, digits, '.' and '/'. */
function isVersionChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2f;
}
const isSpHt = (c: number): boolean => c === SP || c === HTAB;
const isCrLf = (c: number): boolean => c === CR || c === LF;
const isLws = (c: number): boolean => isSpHt(c) || isCrLf(c);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

function text(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/** Where a comma-separated element ends (HAProxy's http_find_hdr_value_end: commas in quotes do not count). */
function valueEnd(s: string, from: number): number {
  let quoted = false;
  let pair = false;
  let i = from;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (pair) pair = false;
    else if (quoted) {
      if (c === 0x5c) pair = true;
      else if (c === DQUOTE) quoted = false;
    } else if (c === DQUOTE) quoted = true;
    else if (c === COMMA) return i;
  }
  return i;
}

/** The elements of a comma-separated header value, trimmed, with where each starts. */
function elements(value: string): { word: string; start: number; end: number }[] {
  const out: { word: string; start: number; end: number }[] = [];
  let i = 0;
  while (i < value.length) {
    if (isLws(value.charCodeAt(i))) {
      i++;
      continue;
    }
    const end = valueEnd(value, i);
    let last = end;
    while (last > i && isLws(value.charCodeAt(last - 1))) last--;
    out.push({ word: value.slice(i, last), start: i, end });
    i = end + 1;
  }
  return out;
}

interface Framing {
  contentLength: number | undefined;
  transferEncoding: boolean;
  chunked: boolean;
}

/**
 * HAProxy's h1_parse_cont_len_header: every element digits only, all equal to each other and to
 * an earlier header's. Returns the value to keep, '' to drop the header (a repeated equal
 * value), or the offset (within `value`) of the element that failed.
 */
function parseContentLength(value: string, framing: Framing): string | { failAt: number } {
  const first = framing.contentLength === undefined;
  let kept = value;
  let keptAt = 0;
  let i = 0;
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (isLws(c)) {
      i++;
      continue;
    }
    let n = i;
    let length = 0;
    while (n < value.length && isDigit(value.charCodeAt(n))) {
      length = length * 10 + (value.charCodeAt(n) - 0x30);
      n++;
    }
    if (n === i || length > Number.MAX_SAFE_INTEGER) return { failAt: keptAt };
    const digits = value.slice(i, n);
    while (n < value.length && isLws(value.charCodeAt(n))) n++;
    if (n < value.length && value.charCodeAt(n) !== COMMA) return { failAt: keptAt };
    if (framing.contentLength !== undefined && length !== framing.contentLength) return { failAt: keptAt };
    framing.contentLength = length;
    kept = digits;
    keptAt = i;
    i = n + 1;
  }
  return first ? kept : '';
}

/** HAProxy's h1_parse_xfer_enc_header for a response: false when chunked is applied twice. */
function parseTransferEncoding(value: string, framing: Framing, seenChunked: { value: boolean }): boolean {
  framing.transferEncoding = true;
  for (const { word } of elements(value)) {
    framing.chunked = false;
    if (word.toLowerCase() === 'chunked') {
      if (seenChunked.value) return false;
      seenChunked.value = true;
      framing.chunked = true;
    }
  }
  return true;
}

/**
 * Parses an error file's bytes (HAProxy's http_str_to_htx over h1_headers_to_hdr_list for a
 * response). Error offsets are byte offsets in the file, -2 when the head is incomplete.
 */
export function parseErrorMessage(bytes: Uint8Array): ErrorMessageParse {
  if (bytes.byteLength === 0) return { ok: true, message: undefined };
  const head = parseHead(bytes);
  if (typeof head === 'number') return { ok: false, error: `unable to parse headers (error offset: ${head})` };
  const { version, code, status, reason, headers, framing, bodyStart } = head;
  if (version.length !== 8) return { ok: false, error: `invalid http version (${version})` };
  const minorAtLeastOne = version.charCodeAt(5) > 0x31 || (version.charCodeAt(5) === 0x31 && version.charCodeAt(7) >= 0x31);
  if (status < 200 && (status === 100 || status >= 102)) {
    return { ok: false, error: `invalid http status code for an error message (${status})` };
  }
  let hasLength = false;
  let bodyless = false;
  if (status === 204 || status === 304) {
    hasLength = true;
    bodyless = true;
  } else if (framing.contentLength !== undefined || framing.chunked) {
    hasLength = true;
    if (framing.chunked) return { ok: false, error: 'chunk-encoded payload not supported' };
    bodyless = framing.contentLength === 0;
  }
  const payload = bytes.byteLength - bodyStart;
  if (bodyless && payload > 0) return { ok: false, error: 'message payload not expected' };
  if (!bodyless && framing.contentLength !== undefined && framing.contentLength !== payload) {
    return { ok: false, error: `payload size does not match the announced content-length (${payload} != ${framing.contentLength})` };
  }
  return {
    ok: true,
    message: {
      version,
      version11: minorAtLeastOne,
      code,
      status,
      reason,
      headers,
      body: bytes.slice(bodyStart),
      hasLength,
    },
  };
}

interface Head {
  readonly version: string;
  readonly code: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: (readonly [string, string])[];
  readonly framing: Framing;
  readonly bodyStart: number;
}

/** The status line and header block, or the offset of the error (-2: incomplete). */
function parseHead(b: Uint8Array): Head | number {
  const n = b.byteLength;
  const INCOMPLETE = -2;
  let p = 0;
  // Empty lines before the status line are skipped.
  for (;;) {
    if (p >= n) return INCOMPLETE;
    const c = b[p] as number;
    if (TCHAR[c] === 1) break;
    if (!isCrLf(c)) return p;
    p++;
    if (c === CR) {
      if (p >= n) return INCOMPLETE;
      if (b[p] !== LF) return p;
      p++;
    }
  }
  const versionStart = p;
  while (p < n && isVersionChar(b[p] as number)) p++;
  if (p >= n) return INCOMPLETE;
  if (!isSpHt(b[p] as number)) return p;
  const version = text(b, versionStart, p);
  p++;
  for (;;) {
    if (p >= n) return INCOMPLETE;
    const c = b[p] as number;
    if (!isLws(c)) break;
    if (!isSpHt(c)) return p;
    p++;
  }
  const codeStart = p;
  let status = 0;
  while (p < n && isDigit(b[p] as number)) {
    status = (status * 10 + ((b[p] as number) - 0x30)) & 0xffff;
    p++;
  }
  if (p >= n) return INCOMPLETE;
  if (!isLws(b[p] as number)) return p;
  const code = text(b, codeStart, p);
  let reason = '';
  if (isSpHt(b[p] as number)) {
    p++;
    for (;;) {
      if (p >= n) return INCOMPLETE;
      const c = b[p] as number;
      if (!isLws(c)) {
        const reasonStart = p;
        while (p < n && !isCrLf(b[p] as number)) p++;
        if (p >= n) return INCOMPLETE;
        reason = text(b, reasonStart, p);
        break;
      }
      if (!isSpHt(c)) break;
      p++;
    }
  }
  if (b[p] === CR) {
    p++;
    if (p >= n) return INCOMPLETE;
  }
  if (b[p] !== LF) return p;
  p++;

  const headers: (readonly [string, string])[] = [];
  const framing: Framing = { contentLength: undefined, transferEncoding: false, chunked: false };
  const seenChunked = { value: false };
  for (;;) {
    if (p >= n) return INCOMPLETE;
    if (isCrLf(b[p] as number)) {
      if (b[p] === CR) {
        p++;
        if (p >= n) return INCOMPLETE;
      }
      if (b[p] !== LF) return p;
      p++;
      if (headers.length >= MAX_HEADER_SLOTS) return p;
      break;
    }
    const nameStart = p;
    while (p < n && TCHAR[b[p] as number] === 1) p++;
    if (p >= n) return INCOMPLETE;
    if (b[p] !== 0x3a) return p;
    const name = text(b, nameStart, p).toLowerCase();
    p++;
    // The value, with obs-fold (a line end followed by SP/HT) turned into spaces.
    let value = '';
    for (;;) {
      const lineStart = p;
      while (p < n && !isCrLf(b[p] as number)) p++;
      if (p >= n) return INCOMPLETE;
      value += text(b, lineStart, p);
      let end = p;
      if (b[p] === CR) {
        p++;
        if (p >= n) return INCOMPLETE;
      }
      if (b[p] !== LF) return p;
      p++;
      if (p >= n) return INCOMPLETE;
      if (!isSpHt(b[p] as number)) break;
      for (; end < p; end++) value += ' ';
    }
    let start = 0;
    let stop = value.length;
    while (start < stop && isLws(value.charCodeAt(start))) start++;
    while (stop - 1 > start && isLws(value.charCodeAt(stop - 1))) stop--;
    // Offset of the value in the file, for errors (the folded value has the file's length).
    const valueAt = p - (value.length - start) - lineEndLength(b, p);
    value = value.slice(start, stop);
    if (name === 'transfer-encoding') {
      if (!parseTransferEncoding(value, framing, seenChunked)) return valueAt;
    } else if (name === 'content-length') {
      const kept = parseContentLength(value, framing);
      if (typeof kept !== 'string') return valueAt + kept.failAt;
      if (kept === '') continue;
      value = kept;
    } else if (name === 'connection' && value === '') {
      continue;
    }
    if (headers.length >= MAX_HEADER_SLOTS) return p;
    headers.push([name, value]);
  }
  // Transfer-Encoding wins over Content-Length, which HAProxy removes (the payload then has no
  // known length, so the connection closes after it).
  if (framing.transferEncoding && framing.contentLength !== undefined) {
    framing.contentLength = undefined;
    for (let i = headers.length - 1; i >= 0; i--) if ((headers[i] as readonly [string, string])[0] === 'content-length') headers.splice(i, 1);
  }
  return { version, code, status, reason, headers, framing, bodyStart: p };
}

/** Length of the line end just before `p` (LF or CRLF). */
function lineEndLength(b: Uint8Array, p: number): number {
  return b[p - 2] === CR ? 2 : 1;
}
