/**
 * RFC 8441 extended CONNECT as HAProxy 2.6 bridges it to HTTP/1.1: a `CONNECT` with a
 * `:protocol` pseudo-header becomes `GET` with `Upgrade: <protocol>` and `Connection: upgrade`
 * (h2_make_htx_request), the server's `101` becomes `:status 200` and both directions then carry
 * the protocol's bytes as DATA (mux_h2.c). For `websocket` without a Sec-WebSocket-Key (RFC 8441
 * §5: HTTP/2 has none), HAProxy's H1 mux makes one up (16 random bytes, base64) and checks the
 * server's Sec-WebSocket-Accept against it (h1_search_websocket_key): a wrong or missing one is
 * an invalid response (502).
 */
import { headerName, type HeaderName } from '../../http/codec/index.ts';
import { base64Of } from '../../rules/converters/encoding.ts';
import type { Runtime } from '../../runtime.ts';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const H_SEC_WEBSOCKET_ACCEPT: HeaderName = headerName('sec-websocket-accept');

/** A fresh Sec-WebSocket-Key: base64 of 16 random bytes (h1_generate_random_ws_input_key). */
export function newWebsocketKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return base64Of(text, false);
}

/** The Sec-WebSocket-Accept a server owes `key` (RFC 6455 §4.2.2: base64(SHA-1(key + GUID))). */
export function websocketAccept(runtime: Runtime, key: string): string {
  const input = key + WS_GUID;
  const bytes = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) bytes[i] = input.charCodeAt(i);
  const digest = runtime.digest('sha1', bytes);
  let text = '';
  for (let i = 0; i < digest.length; i++) text += String.fromCharCode(digest[i]!);
  return base64Of(text, false);
}
