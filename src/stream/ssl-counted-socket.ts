/**
 * A TLS connection to a server counted among the process's TLS connections for as long as it
 * is open (HAProxy's ssl_sock_init / ssl_sock_close: global.sslconns, totalsslconns count server
 * connections as well as clients'). The socket passes from the connect attempt to a session, a
 * mux, the idle pool, each setting its own handler: the wrapper sees its close whoever holds it.
 * It stands in for the socket in every event, so handlers comparing sockets by identity see one
 * object.
 */
import type { Socket, SocketError, SocketHandler } from '../runtime.ts';
import { DelegatedSocketFacts } from '../util/delegated-socket-facts.ts';

/** Where the wrapper counts: ProcessLimits' TLS connection counts. */
export interface SslConnectionCounts {
  sslConnectionOpened(): void;
  sslConnectionClosed(): void;
}

export class SslCountedSocket extends DelegatedSocketFacts implements Socket, SocketHandler {
  #handler: SocketHandler;
  readonly #counts: SslConnectionCounts;
  #open = true;

  /** `inner` was just dialled with `handler`: from now on the events go through the wrapper. */
  constructor(inner: Socket, handler: SocketHandler, counts: SslConnectionCounts) {
    super(inner);
    this.#handler = handler;
    this.#counts = counts;
    counts.sslConnectionOpened();
    inner.setHandler(this);
  }

  setHandler(handler: SocketHandler): void {
    this.#handler = handler;
  }

  write(chunk: Uint8Array): boolean {
    return this.inner.write(chunk);
  }

  end(): void {
    this.inner.end();
  }

  destroy(): void {
    this.inner.destroy();
  }

  reset(): void {
    this.inner.reset();
  }

  pause(): void {
    this.inner.pause();
  }

  resume(): void {
    this.inner.resume();
  }

  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }

  onConnect(): void {
    this.#handler.onConnect?.(this);
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    this.#handler.onData(this, chunk);
  }

  onEnd(): void {
    this.#handler.onEnd(this);
  }

  onDrain(): void {
    this.#handler.onDrain(this);
  }

  onClose(_socket: Socket, error: SocketError | undefined): void {
    if (this.#open) {
      this.#open = false;
      this.#counts.sslConnectionClosed();
    }
    this.#handler.onClose(this, error);
  }
}
