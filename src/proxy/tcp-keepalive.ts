/**
 * `option clitcpka` / `srvtcpka` on a connection (HAProxy's session_accept_fd and
 * tcp_connect_server): SO_KEEPALIVE, with the idle time when one is set. The interval and count
 * are refused at configuration time where the runtime cannot set them (all three today:
 * config/runtime-socket-check.ts), so only the idle time reaches the socket.
 */
import type { TcpSocketModel } from '../config/tcp-socket-model.ts';
import type { Socket } from '../runtime.ts';

export function applyTcpKeepAlive(socket: Socket, options: TcpSocketModel | undefined): void {
  const keepAlive = options?.keepAlive;
  if (keepAlive === undefined) return;
  // A delay of 0 leaves the kernel's idle time (net.ipv4.tcp_keepalive_time), as HAProxy without `*tcpka-idle`.
  socket.setKeepAlive(true, keepAlive.idle === undefined ? 0 : keepAlive.idle * 1000);
}
