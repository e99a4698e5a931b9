import type { BindModel } from '../config/model.ts';
import type { Socket } from '../runtime.ts';

/**
 * Which client-side mux serves an accepted connection (HAProxy's conn_install_mux_fe): the
 * bind's `proto` when set, else `h2` when TLS negotiated it by ALPN, else HTTP/1. HTTP/1's
 * `Upgrade: h2c` is not a way in: like HAProxy, the H1 mux leaves it to the server.
 */
export function servesHttp2(bind: BindModel, socket: Socket): boolean {
  if (bind.proto !== undefined) return bind.proto === 'h2';
  return socket.tls?.alpn === 'h2';
}
