/**
 * An HTTP/2 server's response (header lists and DATA payload) written as the HTTP/1 message the
 * stream reads from an HTTP/1 server, as HAProxy 2.6's H1 mux writes what its h2 mux decoded
 * (h2_make_htx_response, then h1_format_htx_*): the status line `HTTP/1.1 NNN ` (HTTP/2 has no
 * reason phrase, and HAProxy sends none), the fields in their order, and, when the server gave
 * no Content-Length and the response may have a body, `transfer-encoding: chunked` appended
 * and the DATA payload sent as chunks, a trailing HEADERS frame becoming the trailer section.
 * A header list is malformed (RFC 9113 §8.1.1; HAProxy answers 502) when a name has uppercase
 * or non-token characters, a value has NUL, CR or LF, a pseudo-header is unknown, repeated,
 * follows a regular field or is a request one, `:status` is missing or not three digits, a
 * connection-specific field is present, or Content-Length values disagree. The head is built
 * with the field offsets the HTTP/1 parser would record, so that the stream can take it as it
 * is (HttpStream.onResponseHead) rather than read its bytes back; the bytes are the same.
 */
import { MalformedRequest, checkName, checkValue, parseContentLength, put, putField } from './request-head.ts';
import { isConnectionSpecific } from './connection-specific.ts';
import { allocFromSlab, copyBytes } from '../../http/codec/chars.ts';
import type { HeaderList } from '../../http/h2/index.ts';
import { ResponseHead } from '../../http/codec/index.ts';

/** What the head said about the body that follows. */
export interface ResponseFraming {
  status: number;
  /** Content-Length, or -1. */
  contentLength: number;
  /** The payload goes out as chunks. */
  chunked: boolean;
  /**
   * Every value holds only what the HTTP/1 parser takes (FIELD_VALUE): the head may go to the
   * stream as it is built, not as bytes for its parser to read again. Else the parser judges
   * the bytes, as for any HTTP/1 server.
   */
  plain: boolean;
}

const STATUS_LINE = 'HTTP/1.1 NNN \r\n'.length;
const TRANSFER_ENCODING = 'transfer-encoding';
const CHUNKED = 'chunked';

/** Latin1 text as a slab view (see allocFromSlab). */
function latin1(text: string): Uint8Array {
  const out = allocFromSlab(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * The HTTP/1 head for a response header list, and its framing in `framing`: its bytes (a slab
 * view, see allocFromSlab) and the field offsets the HTTP/1 parser would record reading them,
 * the status set, not yet analysed (analyzeResponse). `bodyless`: the request was a HEAD, or the
 * HEADERS frame ended the stream of a status that has no body anyway. Throws MalformedRequest
 * (used for both directions) on a malformed list.
 */
export function h1ResponseHead(fields: HeaderList, requestMethod: string, framing: ResponseFraming): ResponseHead {
  let status = '';
  let regular = false;
  let contentLength = -1;
  let contentLengthAt = -1;
  let plain = true;
  let size = STATUS_LINE + 2;
  let count = 0;
  for (let i = 0; i < fields.count; i++) {
    const name = fields.names[i]!;
    const value = fields.values[i]!;
    for (let j = 0; j < value.length; j++) {
      const c = value.charCodeAt(j);
      if (c < 0x20 || c === 0x7f) {
        if (c === 0 || c === 0x0a || c === 0x0d) throw new MalformedRequest('NUL, CR or LF in a field value');
        if (c !== 0x09) plain = false;
      }
    }
    if (name.charCodeAt(0) === 0x3a /* : */) {
      if (regular) throw new MalformedRequest('pseudo-header after a regular field');
      if (name !== ':status') throw new MalformedRequest(`pseudo-header ${name} in a response`);
      if (status !== '') throw new MalformedRequest('repeated :status');
      if (!/^[0-9]{3}$/.test(value)) throw new MalformedRequest('invalid :status');
      status = value;
      continue;
    }
    regular = true;
    checkName(name, 0);
    if (isConnectionSpecific(name)) throw new MalformedRequest(`connection-specific field ${name}`);
    if (name === 'content-length') {
      const before = contentLength;
      contentLength = parseContentLength(value, contentLength);
      if (before >= 0) continue; // one content-length goes on
      contentLengthAt = i;
      size += 18 + String(contentLength).length;
      count++;
      continue;
    }
    size += name.length + value.length + 4;
    count++;
  }
  if (status === '') throw new MalformedRequest('missing :status');
  const code = Number(status);
  if (code < 100) throw new MalformedRequest('invalid :status');
  framing.status = code;
  framing.contentLength = contentLength;
  framing.plain = plain;
  const chunked = (framing.chunked = code >= 200 && code !== 204 && code !== 304 && requestMethod !== 'HEAD' && contentLength < 0);
  if (chunked) {
    size += TRANSFER_ENCODING.length + CHUNKED.length + 4;
    count++;
  }
  const out = allocFromSlab(size);
  let at = put(out, 0, 'HTTP/1.1 ');
  at = put(out, at, status);
  at = put(out, at, ' \r\n');
  const offsets: number[] = [];
  for (let i = 0; i < fields.count; i++) {
    const name = fields.names[i]!;
    if (name.charCodeAt(0) === 0x3a) continue;
    if (name === 'content-length') {
      if (i === contentLengthAt) at = putField(out, at, offsets, name, String(contentLength));
      continue;
    }
    at = putField(out, at, offsets, name, fields.values[i]!);
  }
  if (chunked) at = putField(out, at, offsets, TRANSFER_ENCODING, CHUNKED);
  out[at] = 0x0d;
  out[at + 1] = 0x0a;
  const head = new ResponseHead(out, offsets, count, STATUS_LINE, 1);
  head.status = code;
  return head;
}

/** One chunk carrying payload[start, end). */
export function h1Chunk(payload: Uint8Array, start: number, end: number): Uint8Array {
  const size = (end - start).toString(16);
  const out = allocFromSlab(size.length + 4 + end - start);
  for (let i = 0; i < size.length; i++) out[i] = size.charCodeAt(i);
  out[size.length] = 0x0d;
  out[size.length + 1] = 0x0a;
  copyBytes(out, size.length + 2, payload, start, end);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  return out;
}

const LAST_CHUNK = new Uint8Array([0x30, 0x0d, 0x0a, 0x0d, 0x0a]); // 0 CRLF CRLF

/** The last chunk and its trailer section (a trailing HEADERS frame's fields; pseudo-headers refused). */
export function h1LastChunk(trailers: HeaderList | undefined): Uint8Array {
  if (trailers === undefined || trailers.count === 0) return LAST_CHUNK;
  let text = '0\r\n';
  for (let i = 0; i < trailers.count; i++) {
    const name = trailers.names[i]!;
    const value = trailers.values[i]!;
    checkValue(value);
    if (name.charCodeAt(0) === 0x3a) throw new MalformedRequest('pseudo-header in trailers');
    checkName(name, 0);
    if (isConnectionSpecific(name) || name === 'content-length') continue;
    text += `${name}: ${value}\r\n`;
  }
  return latin1(`${text}\r\n`);
}
