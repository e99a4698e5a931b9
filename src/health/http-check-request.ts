/**
 * The request an HTTP health check sends, built once per backend, byte for byte as HAProxy
 * 2.6 puts `option httpchk [METH] [URI] [VER]` + `http-check send` on the wire (checked against
 * 2.6.12):
 *
 *   METH URI VER
 *   <http-check send hdr NAME VALUE>...   (names lower-cased as HTX stores them; empty values skipped)
 *   content-length: N                     (only with `http-check send body`)
 *   connection: close                     (HTTP/1.1 only; HTTP/1.0 closes anyway)
 *
 * HAProxy adds no Host header, not even from an absolute URI: an HTTP/1.1 check needs
 * `http-check send hdr Host NAME` (the manual's advice), or strict servers answer 400.
 */
import type { HttpCheckModel } from '../config/model.ts';
import { latin1Bytes } from '../http/codec/index.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The request line, headers and body of one check request, values already built. */
export type CheckRequestFields = Pick<HttpCheckModel, 'method' | 'uri' | 'version' | 'headers' | 'body'>;

export class HttpCheckRequestError extends Error {
  readonly code = 'HTTP_CHECK_REQUEST';
}

/** Serializes the check request; throws HttpCheckRequestError on a value that cannot go on the wire. */
export function buildHttpCheckRequest(http: CheckRequestFields, serverState?: string): Uint8Array {
  if (!TOKEN.test(http.method)) throw new HttpCheckRequestError(`option httpchk: invalid method '${http.method}'`);
  if (http.uri === '' || /[\x00-\x20\x7f]/.test(http.uri)) throw new HttpCheckRequestError(`option httpchk: invalid URI '${http.uri}'`);
  if (!/^HTTP\/\d(?:\.\d)?$/.test(http.version)) throw new HttpCheckRequestError(`option httpchk: invalid HTTP version '${http.version}'`);
  let head = `${http.method} ${http.uri} ${http.version}\r\n`;
  for (const [name, value] of http.headers) {
    if (!TOKEN.test(name)) throw new HttpCheckRequestError(`http-check send: invalid header name '${name}'`);
    if (!FIELD_VALUE.test(value)) throw new HttpCheckRequestError(`http-check send: invalid value for header '${name}'`);
    if (value === '') continue;
    const lower = name.toLowerCase();
    // HAProxy sets these itself; a configured copy would make the request ambiguous.
    if (lower === 'content-length' || lower === 'transfer-encoding') continue;
    head += `${lower}: ${value}\r\n`;
  }
  // `http-check send-state` (built per check): after the configured headers, as HAProxy adds it.
  if (serverState !== undefined) head += `x-haproxy-server-state: ${serverState}\r\n`;
  const body = http.body === undefined ? undefined : new TextEncoder().encode(http.body);
  if (body !== undefined) head += `content-length: ${body.byteLength}\r\n`;
  const http11 = http.version !== 'HTTP/1.0' && http.version !== 'HTTP/0.9';
  if (http11 && !http.headers.some(([name]) => name.toLowerCase() === 'connection')) head += 'connection: close\r\n';
  head += '\r\n';
  const headBytes = latin1Bytes(head);
  if (body === undefined || body.byteLength === 0) return headBytes;
  const out = new Uint8Array(headBytes.byteLength + body.byteLength);
  out.set(headBytes, 0);
  out.set(body, headBytes.byteLength);
  return out;
}
