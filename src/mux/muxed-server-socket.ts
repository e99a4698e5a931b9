/**
 * A server-side mux (HTTP/2, FastCGI) is presented to the stream as the socket of an HTTP/1
 * server: what the stream asks of that socket about the connection itself (addresses, TLS,
 * Nagle, keep-alive probes) is the answer of the socket under the mux.
 */
import type { Socket, TlsInfo } from '../runtime.ts';

export abstract class MuxedServerSocket {
  readonly #inner: Socket;

  protected constructor(inner: Socket) {
    this.#inner = inner;
  }

  setNoDelay(enabled: boolean): void {
    this.#inner.setNoDelay(enabled);
  }
  setKeepAlive(enabled: boolean, initialDelayMs?: number): void {
    this.#inner.setKeepAlive(enabled, initialDelayMs);
  }
  get remoteAddress(): string {
    return this.#inner.remoteAddress;
  }
  get remotePort(): number {
    return this.#inner.remotePort;
  }
  get localAddress(): string {
    return this.#inner.localAddress;
  }
  get localPort(): number {
    return this.#inner.localPort;
  }
  get tls(): TlsInfo | undefined {
    return this.#inner.tls;
  }
}
