/**
 * A ring's `server` (HAProxy's sink forward applet, src/sink.c): one TCP connection to a syslog
 * server that receives every line of the ring, oldest first. Framing as the server's
 * `log-proto`: `legacy` ends each line with a line feed (sink_forward_io_handler), `octet-count`
 * prefixes it with its length and a space, RFC 6587 (sink_forward_oc_io_handler). Whatever the
 * server sends is read and discarded.
 *
 * From its first connection on, the forwarder holds its place in the ring: lines written while
 * the server is away stay until the ring is full (then new ones are dropped and counted), and go
 * out once it is back. Before that first connection, nothing is held (the ring keeps its latest
 * lines). A connection that fails or closes is retried after a pause; HAProxy retries at once,
 * in a loop, which would spin a core for a dead server. Logging never waits for the server: a
 * full socket only stops the forwarder reading the ring.
 */
import type { Runtime, Socket, SocketError, SocketHandler, TimerHandle } from '../runtime.ts';
import type { RingReader } from './ring-buffer.ts';
import type { RingSink, RingWaiter } from './ring-sink.ts';

/** Pause before connecting again after a failed or closed connection. */
export const RING_RECONNECT_DELAY_MS = 500;

export interface RingForwardTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** `log-proto octet-count`. */
  readonly octetCount: boolean;
}

export interface RingForwardTimeouts {
  /** `timeout connect` (ms): a connection not established by then is abandoned; none when undefined. */
  readonly connect?: number | undefined;
  /** `timeout server` (ms): a connection that cannot send for that long is abandoned; none when undefined. */
  readonly server?: number | undefined;
}

const SPACE = 0x20;
const LF = 0x0a;

export class RingForwarder implements SocketHandler, RingWaiter {
  readonly #runtime: Runtime;
  readonly #sink: RingSink;
  readonly #target: RingForwardTarget;
  readonly #timeouts: RingForwardTimeouts;
  readonly #encoder = new TextEncoder();
  #reader: RingReader | undefined;
  #socket: Socket | undefined;
  #connected = false;
  /** The socket's queue is above its mark: wait for onDrain before reading the ring again. */
  #blocked = false;
  #retry: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;
  #stopped = false;

  constructor(runtime: Runtime, sink: RingSink, target: RingForwardTarget, timeouts: RingForwardTimeouts) {
    this.#runtime = runtime;
    this.#sink = sink;
    this.#target = target;
    this.#timeouts = timeouts;
  }

  start(): void {
    this.#sink.addWaiter(this);
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#sink.removeWaiter(this);
    if (this.#reader !== undefined) this.#sink.buffer.detach(this.#reader);
    this.#clearRetry();
    this.#clearDeadline();
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
  }

  ringWritten(): void {
    if (this.#connected && !this.#blocked) this.#pump();
  }

  onConnect(_socket: Socket): void {
    this.#connected = true;
    this.#clearDeadline();
    this.#reader ??= this.#sink.buffer.attach(false, true);
    this.#pump();
  }

  onData(_socket: Socket, _chunk: Uint8Array): void {}

  onEnd(socket: Socket): void {
    // The server closed its side: HAProxy's forwarder closes too and connects again.
    if (socket !== this.#socket) return;
    this.#lost();
    socket.destroy();
  }

  onDrain(_socket: Socket): void {
    this.#blocked = false;
    this.#clearDeadline();
    if (this.#connected) this.#pump();
  }

  onClose(socket: Socket, _error: SocketError | undefined): void {
    if (socket === this.#socket) this.#lost();
  }

  /** The connection is gone (closed, failed, or abandoned): connect again after a pause. */
  #lost(): void {
    this.#socket = undefined;
    this.#connected = false;
    this.#blocked = false;
    this.#clearDeadline();
    if (!this.#stopped) this.#retry = this.#runtime.setTimer(this.#reconnect, RING_RECONNECT_DELAY_MS);
  }

  readonly #reconnect = (): void => {
    this.#retry = undefined;
    if (!this.#stopped) this.#connect();
  };

  #connect(): void {
    this.#socket = this.#runtime.connect({ host: this.#target.address, port: this.#target.port, noDelay: true }, this);
    this.#arm(this.#timeouts.connect);
  }

  #pump(): void {
    const socket = this.#socket;
    const reader = this.#reader;
    if (socket === undefined || reader === undefined) return;
    for (;;) {
      const line = this.#sink.buffer.read(reader);
      if (line === undefined) return;
      if (!socket.write(this.#frame(line))) {
        this.#blocked = true;
        this.#arm(this.#timeouts.server);
        return;
      }
    }
  }

  #frame(line: Uint8Array): Uint8Array {
    if (!this.#target.octetCount) {
      const out = new Uint8Array(line.length + 1);
      out.set(line, 0);
      out[line.length] = LF;
      return out;
    }
    const prefix = this.#encoder.encode(String(line.length));
    const out = new Uint8Array(prefix.length + 1 + line.length);
    out.set(prefix, 0);
    out[prefix.length] = SPACE;
    out.set(line, prefix.length + 1);
    return out;
  }

  #arm(timeout: number | undefined): void {
    this.#clearDeadline();
    if (timeout === undefined) return;
    this.#deadline = this.#runtime.setTimer(this.#expire, timeout);
  }

  readonly #expire = (): void => {
    this.#deadline = undefined;
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#lost();
    socket.destroy();
  };

  #clearDeadline(): void {
    if (this.#deadline !== undefined) this.#runtime.clearTimer(this.#deadline);
    this.#deadline = undefined;
  }

  #clearRetry(): void {
    if (this.#retry !== undefined) this.#runtime.clearTimer(this.#retry);
    this.#retry = undefined;
  }
}
