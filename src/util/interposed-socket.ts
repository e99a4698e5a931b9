/**
 * A socket standing between the proxy and the connection underneath that changes one or two
 * things about it (`option nolinger`'s close, the TLS connection counts): every call and event
 * passes through, and the wrapper stands in for the socket in every event, so handlers
 * comparing sockets by identity see one object. Subclasses override what they change.
 */
import type { Socket, SocketError, SocketHandler } from '../runtime.ts';
import { DelegatedSocketFacts } from './delegated-socket-facts.ts';

export abstract class InterposedSocket extends DelegatedSocketFacts implements Socket, SocketHandler {
  protected handler: SocketHandler | undefined;

  /** From now on `inner`'s events go through the wrapper, to `handler` until another is set. */
  protected constructor(inner: Socket, handler?: SocketHandler) {
    super(inner);
    this.handler = handler;
    inner.setHandler(this);
  }

  setHandler(handler: SocketHandler): void {
    this.handler = handler;
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
    this.handler?.onConnect?.(this);
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    this.handler?.onData(this, chunk);
  }

  onEnd(): void {
    this.handler?.onEnd(this);
  }

  onDrain(): void {
    this.handler?.onDrain(this);
  }

  onFinished(): void {
    this.handler?.onFinished?.(this);
  }

  onClose(_socket: Socket, error: SocketError | undefined): void {
    this.handler?.onClose(this, error);
  }
}
