/**
 * What a socket standing in for another (a server-side mux, a `nolinger` wrapper, a SOCKS4
 * tunnel) answers about the connection itself: addresses, TLS, Nagle and keep-alive probes are
 * those of the socket underneath. Subclasses add the data path.
 */
import type { Socket, TlsInfo } from '../runtime.ts';

export abstract class DelegatedSocketFacts {
  protected readonly inner: Socket;

  protected constructor(inner: Socket) {
    this.inner = inner;
  }

  setNoDelay(enabled: boolean): void {
    this.inner.setNoDelay(enabled);
  }
  setKeepAlive(enabled: boolean, initialDelayMs?: number): void {
    this.inner.setKeepAlive(enabled, initialDelayMs);
  }
  get remoteAddress(): string {
    return this.inner.remoteAddress;
  }
  get remotePort(): number {
    return this.inner.remotePort;
  }
  get localAddress(): string {
    return this.inner.localAddress;
  }
  get localPort(): number {
    return this.inner.localPort;
  }
  get tls(): TlsInfo | undefined {
    return this.inner.tls;
  }
}
