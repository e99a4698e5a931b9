import type { BindModel } from '../config/model.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { Runtime, Socket, SocketHandler } from '../runtime.ts';
import { H2ServerConnection } from './h2-server.ts';
import { FcgiServerConnection } from './fcgi-server.ts';
import { websocketMux } from './websocket-protocol.ts';
import { isPrivate } from '../stream/session-server-conns.ts';

/**
 * Which client-side mux serves an accepted connection (HAProxy's conn_install_mux_fe): the
 * bind's `proto` when set, else `h2` when TLS negotiated it by ALPN, else HTTP/1. HTTP/1's
 * `Upgrade: h2c` is not a way in: like HAProxy, the H1 mux leaves it to the server.
 */
export function servesHttp2(bind: BindModel, socket: Socket): boolean {
  if (bind.proto !== undefined) return bind.proto === 'h2';
  return socket.tls?.alpn === 'h2';
}

/**
 * Which mux speaks on a new server connection (HAProxy's conn_install_mux_be): the server's
 * `proto` when set, else `h2` when TLS negotiated it by ALPN (`ssl alpn h2,http/1.1`), else HTTP/1.
 */
export function speaksHttp2ToServer(server: Server, socket: Socket, websocket = false): boolean {
  // `ws h1|h2` (or `auto` with a `proto`) decides for a WebSocket stream (srv_get_ws_proto).
  const proto = websocket ? websocketMux(server) : server.proto;
  if (proto !== undefined) return proto === 'h2';
  return socket.tls?.alpn === 'h2';
}

/**
 * The socket the stream talks HTTP/1 through on a new server connection: the connection
 * itself, or, toward an HTTP/2 server, the first stream of the mux that carries each request as
 * an HTTP/2 stream (src/mux/h2-server.ts); `handler` (the stream) receives its events.
 */
export function serverMux(socket: Socket, server: Server, handler: SocketHandler, runtime?: Runtime, websocket = false, backend?: Backend, key = ''): Socket {
  // `proto fcgi` servers of a backend with `use-fcgi-app` (the configuration requires both).
  const fcgiApp = backend?.model.fcgiApp;
  if (server.proto === 'fcgi' && fcgiApp !== undefined) {
    const mux = new FcgiServerConnection(socket, fcgiApp, backend?.fcgiStderrLog);
    mux.setHandler(handler);
    return mux;
  }
  if (!speaksHttp2ToServer(server, socket, websocket)) return socket;
  // The connection is the pool's entry (with `key`, its reuse key); the stream its first request's socket.
  const shareable = backend !== undefined && !isPrivate(backend, server);
  if (backend !== undefined) backend.speaksHttp2 = true;
  const mux = new H2ServerConnection(socket, runtime, server.maxReuse < 0 ? Infinity : server.maxReuse + 1, backend?.h2Options, server, key, backend?.counters.h2, shareable);
  return mux.openStream(handler);
}
