/**
 * The request an HTTP health check sends, built once per backend, as HAProxy 2.6's
 * tcpcheck_eval_send does for `option httpchk [METH] [URI] [VER]` + `http-check send`:
 *
 *   METH URI VER
 *   <http-check send hdr NAME VALUE>...   (empty values skipped)
 *   connection: close
 *   content-length: N                     (only with `http-check send body`)
 *
 * HAProxy adds no Host header of its own: it comes from `http-check send hdr host ...`, or
 * from the authority of an absolute URI (http_update_host). An HTTP/1.1 check without one
 * is answered 400 by strict servers — the HAProxy manual's advice applies: add
 * `http-check send hdr Host NAME`. Header names go out lower-cased, as HTX stores them.
 */
import type { HttpCheckModel } from '../config/model.ts';
import { latin1Bytes } from '../http/codec/index.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export class HttpCheckRequestError extends Error {
  readonly code = 'HTTP_CHECK_REQUEST';
}

/** Serializes the check request; throws HttpCheckRequestError on a value that cannot go on the wire. */
export function buildHttpCheckRequest(http: HttpCheckModel): Uint8Array {
  if (!TOKEN.test(http.method)) throw new HttpCheckRequestError(`option httpchk: invalid method '${http.method}'`);
  if (http.uri === '' || /[\x00-\x20\x7f]/.test(http.uri)) throw new HttpCheckRequestError(`option httpchk: invalid URI '${http.uri}'`);
  if (!/^HTTP\/\d(?:\.\d)?$/.test(http.version)) throw new HttpCheckRequestError(`option httpchk: invalid HTTP version '${http.version}'`);
  let head = `${http.method} ${http.uri} ${http.version}\r\n`;
  let hasHost = false;
  for (const [name, value] of http.headers) {
    if (!TOKEN.test(name)) throw new HttpCheckRequestError(`http-check send: invalid header name '${name}'`);
    if (!FIELD_VALUE.test(value)) throw new HttpCheckRequestError(`http-check send: invalid value for header '${name}'`);
    if (value === '') continue;
    const lower = name.toLowerCase();
    // HAProxy sets these itself; a configured copy would make the request ambiguous.
    if (lower === 'content-length' || lower === 'transfer-encoding') continue;
    if (lower === 'host') hasHost = true;
    head += `${lower}: ${value}\r\n`;
  }
  const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]+)/.exec(http.uri)?.[1];
  if (!hasHost && authority !== undefined) head += `host: ${authority.replace(/^[^@]*@/, '')}\r\n`;
  if (!http.headers.some(([name]) => name.toLowerCase() === 'connection')) head += 'connection: close\r\n';
  const body = http.body === undefined ? undefined : new TextEncoder().encode(http.body);
  if (body !== undefined) head += `content-length: ${body.byteLength}\r\n`;
  head += '\r\n';
  const headBytes = latin1Bytes(head);
  if (body === undefined || body.byteLength === 0) return headBytes;
  const out = new Uint8Array(headBytes.byteLength + body.byteLength);
  out.set(headBytes, 0);
  out.set(body, headBytes.byteLength);
  return out;
}
