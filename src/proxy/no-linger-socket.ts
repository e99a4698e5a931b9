/**
 * `option nolinger` on one connection: what the proxy closes is aborted with a TCP reset (HAProxy
 * sets SO_LINGER 0 on such sockets: its close drops unsent data and sends RST, so no FIN_WAIT
 * state lingers). As HAProxy clears its "linger risk" once the peer closed its side, a
 * connection whose peer already sent its FIN closes normally. Everything else passes through;
 * the wrapper stands in for the socket in every event, so handlers comparing sockets by identity
 * see one object.
 */
import type { Socket, SocketError, SocketHandler } from '../runtime.ts';
import { DelegatedSocketFacts } from '../util/delegated-socket-facts.ts';

export class NoLingerSocket extends DelegatedSocketFacts implements Socket, SocketHandler {
  #handler: SocketHandler | undefined;
  #peerEnded = false;
  readonly startTls?: (head: Uint8Array | undefined) => void;

  constructor(inner: Socket) {
    super(inner);
    const startTls = inner.startTls;
    if (startTls !== undefined) this.startTls = (head) => startTls.call(inner, head);
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
    if (this.#peerEnded) this.inner.destroy();
    else this.inner.reset();
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
    this.#handler?.onConnect?.(this);
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    this.#handler?.onData(this, chunk);
  }

  onEnd(): void {
    this.#peerEnded = true;
    this.#handler?.onEnd(this);
  }

  onDrain(): void {
    this.#handler?.onDrain(this);
  }

  onClose(_socket: Socket, error: SocketError | undefined): void {
    this.#handler?.onClose(this, error);
  }
}

/** The socket as the proxy's side uses it: wrapped when `option nolinger` applies. */
export function withLingerPolicy(socket: Socket, noLinger: boolean | undefined): Socket {
  return noLinger === true ? new NoLingerSocket(socket) : socket;
}
