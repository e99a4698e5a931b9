/**
 * `option nolinger` on one connection: what the proxy closes is aborted with a TCP reset (HAProxy
 * sets SO_LINGER 0 on such sockets: its close drops unsent data and sends RST, so no FIN_WAIT
 * state lingers). As HAProxy clears its "linger risk" once the peer closed its side, a
 * connection whose peer already sent its FIN closes normally. Everything else passes through;
 * the wrapper stands in for the socket in every event, so handlers comparing sockets by identity
 * see one object.
 */
import type { Socket } from '../runtime.ts';
import { InterposedSocket } from '../util/interposed-socket.ts';

export class NoLingerSocket extends InterposedSocket {
  #peerEnded = false;
  readonly startTls?: (head: Uint8Array | undefined) => void;

  constructor(inner: Socket) {
    super(inner);
    const startTls = inner.startTls;
    if (startTls !== undefined) this.startTls = (head) => startTls.call(inner, head);
  }

  override destroy(): void {
    if (this.#peerEnded) this.inner.destroy();
    else this.inner.reset();
  }

  override onEnd(): void {
    this.#peerEnded = true;
    super.onEnd();
  }
}

/** The socket as the proxy's side uses it: wrapped when `option nolinger` applies. */
export function withLingerPolicy(socket: Socket, noLinger: boolean | undefined): Socket {
  return noLinger === true ? new NoLingerSocket(socket) : socket;
}
