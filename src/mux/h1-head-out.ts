/**
 * What the HTTP/1 muxes do to a head on its way out, after the analysers: the hop-by-hop
 * headers of the received message go, the connection header says what this hop does, and the
 * message length is stated once (HAProxy's h1 output side: h1_process_output's header
 * formatting). An HTTP/2 mux frames the same edited head its own way and skips all of this.
 */
import type { HttpConnectionMode } from '../config/model.ts';
import { hostMatchesAuthority, isAbsoluteForm, normalizeAbsoluteForm } from '../http/absolute-form.ts';
import { H_CONNECTION, H_CONTENT_LENGTH, H_TRANSFER_ENCODING, HeadEditor, headerName, type RequestHead, type ResponseHead } from '../http/codec/index.ts';
import { rangesEqual } from '../util/bytes.ts';

const H_SEC_WEBSOCKET_KEY_OUT = headerName('Sec-Websocket-Key');

/** The request head as the server-side H1 mux sends it (before the stream's own additions). */
export function prepareRequestHead(head: RequestHead, editor: HeadEditor, mode: HttpConnectionMode, pretendKeepAlive = false): void {
  editor.removeHopByHop(head.upgrade);
  if (head.upgrade) editor.set(H_CONNECTION, 'upgrade');
  // `option http-pretend-keepalive` (HAProxy's h1_update_req_conn_value under PR_O2_FAKE_KA).
  else if (mode !== 'keep-alive' && !pretendKeepAlive) editor.set(H_CONNECTION, 'close');
  // Suspect framing (an HTTP/1.0 request with Transfer-Encoding): the server connection is
  // not reused, and a 1.0 server that ignores the coding must not wait for another request.
  else if (head.versionMinor === 0 && !head.smuggleSuspect) editor.set(H_CONNECTION, 'keep-alive');
  normalizeContentLength(editor, head);
  // A request line received with extra spaces, or a version read as HTTP/1.1 (HTTP/1.2...),
  // goes on in its canonical form, as HAProxy's (h1_format_htx_reqline writes HTTP/1.1).
  if ((head.spacedRequestLine || head.oddVersion !== undefined) && !editor.startLineChanged) editor.setRequestLine(head.method, head.target, head.versionMinor);
  if (head.http2 && isAbsoluteForm(head)) {
    // HAProxy's h1 mux sends an HTTP/2 request's normalized URI in origin form.
    const target = head.target;
    const pathStart = target.indexOf('/', target.indexOf('://') + 3);
    editor.setRequestLine(head.method, pathStart < 0 ? (head.method === 'OPTIONS' ? '*' : '/') : target.slice(pathStart), 1);
  } else if (isAbsoluteForm(head)) {
    const normalized = normalizeAbsoluteForm(head, head.hostIndex >= 0 ? head.valueAt(head.hostIndex) : undefined);
    if (normalized !== undefined) {
      editor.setRequestLine(head.method, normalized.target, head.versionMinor);
      if (normalized.rewriteHost) editor.replace(head.hostIndex, normalized.authority);
    }
  }
}

/**
 * The Sec-WebSocket-Key made up for an HTTP/2 extended CONNECT: HAProxy's H1 mux writes it at
 * the end of the head, after every other addition, with this spelling (h1_process_output).
 * An HTTP/2 server side leaves it out again (H2ServerStream).
 */
export function appendMadeUpWebsocketKey(head: RequestHead, editor: HeadEditor): void {
  if (head.madeUpWebsocketKey !== undefined) editor.append(H_SEC_WEBSOCKET_KEY_OUT, head.madeUpWebsocketKey);
}

/** The response head as the client-side H1 mux sends it (before cookies and after-response rules). */
export function prepareResponseHead(head: ResponseHead, editor: HeadEditor): void {
  editor.removeHopByHop();
  if (head.status < 200 || head.status === 204) dropFraming(editor);
  else normalizeContentLength(editor, head);
  // A version read as HTTP/1.1 (HTTP/1.2...) goes on as HTTP/1.1 (h1_format_htx_stline).
  if (head.oddVersion !== undefined && !editor.startLineChanged) editor.setStatusLine(head.status, head.reason, 1);
}

/**
 * The connection header the client-side H1 mux writes last in a response head, after what
 * cookies, filters and the after-response rules added (HAProxy's h1_process_mux adds it at
 * the end of the headers): `close` when the connection ends after it, `keep-alive` to keep an
 * HTTP/1.0 client's.
 */
export function responseConnectionValue(req: RequestHead, close: boolean): string | undefined {
  return close ? 'close' : req.versionMinor === 0 ? 'keep-alive' : undefined;
}

/**
 * A 1xx or 204 has no body, and RFC 9110 §8.6 / §6.4.1 forbid it a length: HAProxy's H1 output
 * drops its Content-Length and Transfer-Encoding (h1_process_mux).
 */
function dropFraming(editor: HeadEditor): void {
  editor.removeAll(H_CONTENT_LENGTH);
  editor.removeAll(H_TRANSFER_ENCODING);
}

/** One editor for the rare interim head to edit: begin() to build() runs without a pause. */
let interimEditor: HeadEditor | undefined;

/** An interim (1xx) head as the client-side H1 mux sends it: the received bytes, unless they carry a length. */
export function interimHeadBytes(head: ResponseHead): Uint8Array {
  if (head.indexOf(H_CONTENT_LENGTH) < 0 && head.indexOf(H_TRANSFER_ENCODING) < 0) return head.raw;
  const editor = (interimEditor ??= new HeadEditor()).begin(head);
  dropFraming(editor);
  return editor.build();
}

/**
 * An absolute-form target names the authority; a Host header saying otherwise is an attempt
 * to route on one name and be served another (HAProxy answers 400).
 */
export function hostContradictsTarget(head: RequestHead): boolean {
  if (!head.hostFromTarget || head.hostIndex < 0) return false;
  // The usual case, and always so for HTTP/2 (its Host is made from :authority): the same bytes, compared without strings.
  const offsets = head.offsets;
  const at = 4 * head.hostIndex;
  if (rangesEqual(head.targetBuffer, head.hostStart, head.hostEnd, head.raw, offsets[at + 2]!, offsets[at + 3]!)) return false;
  return !hostMatchesAuthority(head, head.valueAt(head.hostIndex));
}

/**
 * With Transfer-Encoding, Content-Length must not be forwarded (RFC 9112 §6.3); repeated
 * identical lengths ("5, 5" or two headers) are one length, forwarded once (HAProxy does both).
 */
function normalizeContentLength(editor: HeadEditor, head: RequestHead | ResponseHead): void {
  if (head.smuggleSuspect) {
    editor.removeAll(H_CONTENT_LENGTH);
    return;
  }
  const length = head.contentLength;
  if (length === undefined) return;
  const first = head.indexOf(H_CONTENT_LENGTH);
  // The usual single plain value has exactly the length's digit count: no string is built.
  const valueLength = (head.offsets[first * 4 + 3] as number) - (head.offsets[first * 4 + 2] as number);
  if (head.indexOf(H_CONTENT_LENGTH, first + 1) >= 0 || valueLength !== decimalDigits(length)) {
    editor.removeAll(H_CONTENT_LENGTH);
    editor.append('content-length', String(head.contentLength));
  }
}

function decimalDigits(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}
