/**
 * A `log-forward` section at work (HAProxy 2.6's syslog_fd_handler and syslog_io_handler,
 * src/log.c): UDP sockets taking one message per datagram, TCP listeners reading RFC 6587
 * frames (octet counting `LEN MSG`, or non-transparent framing: a line ending in LF or CR LF),
 * and every message parsed (syslog-message.ts) and relayed to the section's targets.
 */
import type { LogForwardModel } from '../config/model.ts';
import type { DatagramReceiver, DatagramSender, Listener, Runtime, Socket, SocketHandler, TimerHandle } from '../runtime.ts';
import type { ProxyLogger } from './logger.ts';
import { parseSyslogMessage } from './syslog-message.ts';

/** HAProxy's trash buffer (tune.bufsize): the longest message a TCP frame may carry. */
const FRAME_MAX = 16384;

/** What every section of the process counts (show info's CumRecvLogs). */
export interface ReceivedLogs {
  count: number;
}

export class LogForwarder implements DatagramReceiver {
  readonly #runtime: Runtime;
  readonly #model: LogForwardModel;
  readonly #logger: ProxyLogger;
  readonly #received: ReceivedLogs;
  readonly #datagrams: DatagramSender[] = [];
  readonly #listeners: Listener[] = [];
  readonly #connections = new Set<SyslogConnection>();
  /** Connections beyond `maxconn`, paused until one ends (HAProxy leaves them in the backlog). */
  readonly #waiting: SyslogConnection[] = [];

  constructor(runtime: Runtime, model: LogForwardModel, logger: ProxyLogger, received: ReceivedLogs) {
    this.#runtime = runtime;
    this.#model = model;
    this.#logger = logger;
    this.#received = received;
  }

  /** Binds every address; throws (having closed what it opened) when one cannot be bound. */
  async start(): Promise<void> {
    try {
      for (const { host, port } of this.#model.dgramBinds) this.#datagrams.push(await this.#runtime.bindDatagramSocket(host, port, this));
      for (const { host, port } of this.#model.binds) {
        const backlog = this.#model.backlog;
        this.#listeners.push(
          await this.#runtime.listen({ host, port, reusePort: true, ...(backlog !== undefined && backlog > 0 ? { backlog } : {}) }, (socket) => this.#accept(socket)),
        );
      }
    } catch (error) {
      await this.stop();
      // The message keeps the system's words (EADDRINUSE...): a reloaded worker retries on them.
      throw new Error(`log-forward '${this.#model.name}': ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async stop(): Promise<void> {
    for (const d of this.#datagrams) d.close();
    this.#datagrams.length = 0;
    const listeners = this.#listeners.splice(0);
    await Promise.all(listeners.map((l) => l.close()));
    for (const c of [...this.#connections, ...this.#waiting]) c.close();
    this.#connections.clear();
    this.#waiting.length = 0;
  }

  onDatagram(bytes: Uint8Array): void {
    this.relay(bytes);
  }

  /** One received message. */
  relay(bytes: Uint8Array): void {
    this.#received.count++;
    this.#logger.forward(parseSyslogMessage(bytes));
  }

  #accept(socket: Socket): void {
    const connection = new SyslogConnection(this, socket, this.#runtime, this.#model.timeoutClient);
    // maxconn 0: no limit.
    if (this.#model.maxconn > 0 && this.#connections.size >= this.#model.maxconn) {
      socket.pause();
      this.#waiting.push(connection);
      return;
    }
    this.#connections.add(connection);
    connection.begin();
  }

  /** A connection ended: the first waiting one takes its place. */
  ended(connection: SyslogConnection): void {
    if (!this.#connections.delete(connection)) {
      const i = this.#waiting.indexOf(connection);
      if (i >= 0) this.#waiting.splice(i, 1);
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) {
      this.#connections.add(next);
      next.begin();
    }
  }
}

/** One TCP client: its unread bytes, cut into frames as they arrive. */
class SyslogConnection implements SocketHandler {
  readonly #forwarder: LogForwarder;
  readonly #socket: Socket;
  readonly #runtime: Runtime;
  readonly #timeout: number | undefined;
  #timer: TimerHandle | undefined;
  #pending: Uint8Array = new Uint8Array(0);
  #closed = false;
  readonly #expire = (): void => {
    this.#timer = undefined;
    this.close();
  };

  constructor(forwarder: LogForwarder, socket: Socket, runtime: Runtime, timeout: number | undefined) {
    this.#forwarder = forwarder;
    this.#socket = socket;
    this.#runtime = runtime;
    this.#timeout = timeout;
    socket.setHandler(this);
  }

  begin(): void {
    this.#socket.resume();
    this.#arm();
  }

  #arm(): void {
    if (this.#timeout === undefined || this.#timeout <= 0) return;
    if (this.#timer !== undefined) this.#runtime.clearTimer(this.#timer);
    this.#timer = this.#runtime.setTimer(this.#expire, this.#timeout);
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.#closed) return;
    this.#arm();
    if (this.#pending.length === 0) this.#pending = chunk.slice();
    else {
      const joined = new Uint8Array(this.#pending.length + chunk.length);
      joined.set(this.#pending);
      joined.set(chunk, this.#pending.length);
      this.#pending = joined;
    }
    const used = this.#frames(this.#pending);
    if (used < 0) return this.close();
    if (used > 0) this.#pending = this.#pending.subarray(used);
  }

  /** Relays the complete frames of `buf`: the bytes they took, or -1 on a framing error. */
  #frames(buf: Uint8Array): number {
    let at = 0;
    while (at < buf.length) {
      const first = buf[at] as number;
      if (first === 0x3c /* < */) {
        const lf = buf.indexOf(0x0a, at);
        if (lf < 0) return buf.length - at >= FRAME_MAX ? -1 : at;
        let end = lf;
        // RFC 6587: some senders put a CR before the LF.
        if (end > at && buf[end - 1] === 0x0d) end--;
        this.#forwarder.relay(buf.subarray(at, end));
        at = lf + 1;
      } else if (first >= 0x31 && first <= 0x39) {
        const space = buf.indexOf(0x20, at);
        if (space < 0) return buf.length - at >= FRAME_MAX ? -1 : at;
        let length = 0;
        for (let i = at; i < space; i++) {
          const c = buf[i] as number;
          if (c < 0x30 || c > 0x39) return -1;
          length = length * 10 + (c - 0x30);
        }
        if (length > FRAME_MAX) return -1;
        if (buf.length - (space + 1) < length) return at;
        this.#forwarder.relay(buf.subarray(space + 1, space + 1 + length));
        at = space + 1 + length;
      } else return -1;
    }
    return at;
  }

  onEnd(): void {
    this.close();
  }

  onDrain(): void {}

  onClose(): void {
    this.#finish();
  }

  close(): void {
    if (this.#closed) return;
    this.#socket.end();
    this.#socket.destroy();
    this.#finish();
  }

  #finish(): void {
    if (this.#timer !== undefined) this.#runtime.clearTimer(this.#timer);
    this.#timer = undefined;
    if (this.#closed) return;
    this.#closed = true;
    this.#forwarder.ended(this);
  }
}
