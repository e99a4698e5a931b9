/**
 * `server ... ws auto|h1|h2` (HAProxy 2.6): the protocol a WebSocket stream (HAProxy's
 * SF_WEBSOCKET: an HTTP/1.1 `Connection: upgrade` + `Upgrade: websocket` request, or an HTTP/2
 * extended CONNECT for `websocket`, which the h2 client side turns into the former) uses toward
 * the server. `h1` and `h2` force that mux (srv_get_ws_proto) and, on a TLS server with ALPN,
 * offer only that protocol; `auto` keeps the server's `proto` and, when its ALPN list has
 * `http/1.1`, offers only that (conn_update_alpn without force), so that a server reached over
 * h2 for ordinary requests gets its WebSockets over HTTP/1.1. A WebSocket stream the choice
 * sets apart never rides an idle connection made for ordinary requests (srv_check_reuse_ws).
 */
import { H_UPGRADE, latin1Bytes, type RequestHead } from '../http/codec/index.ts';
import type { Server } from '../proxy/server.ts';

const WEBSOCKET = latin1Bytes('websocket');
const H1_ONLY: readonly string[] = ['http/1.1'];
const H2_ONLY: readonly string[] = ['h2'];

/** Whether the request is a WebSocket handshake (HAProxy's SF_WEBSOCKET). */
export function isWebsocketRequest(head: RequestHead | undefined): boolean {
  return head !== undefined && head.upgrade && head.hasToken(H_UPGRADE, WEBSOCKET);
}

/** The ALPN list a WebSocket stream offers a TLS server that has `alpn` configured. */
export function websocketAlpn(server: Server, alpn: readonly string[]): readonly string[] {
  switch (server.ws) {
    case 'auto':
      return alpn.includes('http/1.1') ? H1_ONLY : alpn;
    case 'h1':
      return H1_ONLY;
    case 'h2':
      return H2_ONLY;
  }
}

/** The mux a WebSocket stream must speak to the server, or undefined: as ALPN decides. */
export function websocketMux(server: Server): 'h1' | 'h2' | 'fcgi' | undefined {
  return server.ws === 'auto' ? server.proto : server.ws;
}

/** Whether a WebSocket stream's connection differs from the server's ordinary ones (no shared reuse). */
export function websocketSetApart(server: Server): boolean {
  const alpn = server.ssl?.alpn;
  if (alpn !== undefined && alpn.length > 0) {
    const offered = websocketAlpn(server, alpn);
    if (offered.length !== alpn.length || offered.some((p, i) => p !== alpn[i])) return true;
  }
  return websocketMux(server) !== server.proto;
}
