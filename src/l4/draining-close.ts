/**
 * Closing a client connection the proxy has nothing to say to (a tcp frontend without a
 * backend) the way HAProxy's peers see it: a FIN. HAProxy has already read what the client sent
 * when it closes; a socket destroyed with bytes still unread in the kernel would instead answer
 * with a reset, which a health check reports as "Connection reset by peer" rather than an empty
 * response. So the connection is half-closed, what still arrives is read and dropped, and the
 * socket is destroyed once the client closes too, or after DRAIN_MS at the latest.
 */
import type { Runtime, Socket, SocketHandler, TimerHandle } from '../runtime.ts';

/** Long enough for bytes already in flight; short enough that a silent client holds nothing. */
const DRAIN_MS = 1000;

class DrainingClose implements SocketHandler {
  readonly #runtime: Runtime;
  #timer: TimerHandle | undefined;

  constructor(runtime: Runtime, socket: Socket) {
    this.#runtime = runtime;
    this.#timer = runtime.setTimer(() => {
      this.#timer = undefined;
      socket.destroy();
    }, DRAIN_MS);
  }

  onData(): void {}

  onEnd(socket: Socket): void {
    socket.destroy();
  }

  onDrain(): void {}

  onClose(): void {
    if (this.#timer === undefined) return;
    this.#runtime.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}

/** Sends FIN now; the socket is gone within DRAIN_MS whatever the client does. */
export function closeDraining(runtime: Runtime, socket: Socket): void {
  socket.setHandler(new DrainingClose(runtime, socket));
  socket.resume();
  socket.end();
}
