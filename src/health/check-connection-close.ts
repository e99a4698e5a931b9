/**
 * How a check ends its connection, as HAProxy 2.6's do: its check connections carry
 * FD_LINGER_RISK, so closing one sets SO_LINGER 0 and the server sees a reset, unless the
 * connect rule said `linger` (then a FIN). A TLS connection that completed its handshake first
 * says close_notify (ssl_sock_shutw). Here that close_notify goes out with end(), and the reset
 * waits for the peer's answer or CLOSE_GRACE_MS: node:tls drops what a TLS 1.3 client still has
 * queued (its Finished) when destroyed in the same turn, and the server then sees a failed
 * handshake where HAProxy's check completed it.
 */
import type { Runtime, Socket, SocketHandler, TimerHandle } from '../runtime.ts';

/** How long a closing TLS check connection waits for the server's close before it is reset. */
export const CLOSE_GRACE_MS = 1000;

/**
 * Ends `socket`. `tlsEstablished`: it is a TLS connection whose handshake completed.
 * `graceful` false (the service is stopping): no close_notify wait, the connection goes at once.
 */
export function closeCheckConnection(runtime: Runtime, socket: Socket, tlsEstablished: boolean, linger: boolean, graceful = true): void {
  if (tlsEstablished && graceful) {
    new ClosingTlsConnection(runtime, socket, linger).start();
    return;
  }
  abandon(socket, linger);
}

function abandon(socket: Socket, linger: boolean): void {
  if (linger) socket.destroy();
  else socket.reset();
}

/** A TLS check connection between its close_notify and its reset. */
class ClosingTlsConnection implements SocketHandler {
  readonly #runtime: Runtime;
  readonly #socket: Socket;
  readonly #linger: boolean;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(runtime: Runtime, socket: Socket, linger: boolean) {
    this.#runtime = runtime;
    this.#socket = socket;
    this.#linger = linger;
  }

  start(): void {
    this.#socket.setHandler(this);
    this.#socket.end();
    if (!this.#closed) this.#timer = this.#runtime.setTimer(() => this.#expired(), CLOSE_GRACE_MS);
  }

  onData(): void {}

  onEnd(): void {
    this.#finish();
  }

  onDrain(): void {}

  onClose(): void {
    this.#closed = true;
    this.#clearTimer();
  }

  #expired(): void {
    this.#timer = undefined;
    this.#finish();
  }

  #finish(): void {
    this.#clearTimer();
    if (this.#closed) return;
    this.#closed = true;
    abandon(this.#socket, this.#linger);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#runtime.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
