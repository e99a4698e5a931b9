import type { Timeouts } from '../config/model.ts';
import type { Backend } from '../proxy/backend.ts';
import { sessionOpened } from '../proxy/counters.ts';
import type { ProxySession, SessionHost } from '../proxy/session.ts';
import { LogLevel } from '../log/logger.ts';
import { formatTcpLog, formatTcpLogJson } from '../log/tcplog.ts';
import type { Server } from '../proxy/server.ts';
import type { ProcessVars } from '../rules/vars.ts';
import type { Runtime, Socket, SocketError, TimerHandle, TlsInfo } from '../runtime.ts';
import { ServerLeg, type ServerLegOwner } from '../stream/server-leg.ts';
import { chooseServer } from '../stream/server-choice.ts';
import { httpRulesOf, switchingTarget } from '../rules/http-rules.ts';
import { earliest } from '../util/idle-deadline.ts';
import type { TerminationCause, TerminationPhase } from './termination.ts';


/** 'connecting' covers choosing a server, its queue, connect attempts and retries (the leg's steps). */
type Phase = 'connecting' | 'established' | 'closed';

/** Bytes read from the client before the server connection exists; beyond this we stop reading. */
const PENDING_LIMIT = 64 * 1024;

/**
 * One `mode tcp` session: its server leg (src/stream/server-leg.ts, shared with `mode http`)
 * reserves a server (queueing at maxconn) and connects with retries and redispatch; then the
 * session splices bytes both ways with backpressure, half-close and idle timeouts. The session
 * is the handler of both of its sockets, so it allocates no per-chunk closures.
 */
export class TcpSession implements ServerLegOwner, ProxySession {
  readonly client: Socket;
  readonly host: SessionHost;
  /** The default backend, until `use_backend` picks another at start(). */
  backend: Backend | undefined;
  readonly runtime: Runtime;
  /** Captured at accept: hosts forget a socket's peer once it is closed. */
  readonly clientAddress: string;
  /** No request head in tcp mode (LbRequest: L7 hash keys fall back to round-robin). */
  readonly lbHead = undefined;
  /** SampleContext for `balance hash` and `stick` expressions: `dst`, `dst_port`, `ssl_fc*`, `hostname`. */
  get localAddress(): string {
    return this.client.localAddress;
  }
  get localPort(): number {
    return this.client.localPort;
  }
  get clientTls(): TlsInfo | undefined {
    return this.client.tls;
  }
  get hostname(): string | undefined {
    return this.runtime.hostname;
  }
  /** `var(proc.x)`: the generation's process variables (no other scope exists in tcp mode here). */
  get vars(): ProcessVars {
    return this.host.procVars;
  }
  readonly clientPort: number;

  server: Socket | undefined;
  phase: Phase = 'connecting';
  readonly #leg: ServerLeg;

  // Timing, as HAProxy logs it (-1 = step not reached).
  readonly acceptedAt: number;
  readonly acceptedWall: number;
  closedAt = -1;
  /** The leg's facts, kept once the session closed (the leg forgets them when it releases the slot). */
  waitTime = -1;
  connectTime = -1;
  connectStartedAt = -1;
  retries = 0;
  redispatched = false;
  lastServerName: string | undefined;
  /** The server whose slot the session holds; undefined once released (the log's srv_conn). */
  get srv(): Server | undefined {
    return this.#leg.server;
  }
  bytesFromClient = 0;
  bytesFromServer = 0;
  terminationCause: TerminationCause = '-';
  terminationPhase: TerminationPhase = '-';

  #pending: Uint8Array[] | undefined = [];
  #pendingBytes = 0;
  #clientLast: number;
  #serverLast = 0;
  #clientEnded = false;
  #serverEnded = false;
  #clientClosed = false;
  #serverClosed = true;
  /** Reading from X was paused because the other side's write queue is full. */
  #clientHeld = false;
  #serverHeld = false;
  #timer: TimerHandle | undefined;
  #timerDue = Infinity;
  #countedInBackend = false;

  constructor(host: SessionHost, client: Socket, backend: Backend | undefined) {
    this.host = host;
    this.runtime = host.runtime;
    this.client = client;
    this.clientAddress = client.remoteAddress;
    this.clientPort = client.remotePort;
    this.backend = backend;
    this.acceptedAt = this.runtime.now();
    this.acceptedWall = this.runtime.wallClock();
    this.#clientLast = this.acceptedAt;
    this.#leg = new ServerLeg(this.runtime, this);
    sessionOpened(host.counters);
    client.setHandler(this);
  }

  start(): void {
    // `use_backend` in a tcp frontend: decided once, on what is known of the connection.
    const switching = httpRulesOf(this.host.model, 'frontend')?.switching;
    if (switching !== undefined && switching.length > 0) {
      const named = switchingTarget(switching, this);
      if (named !== undefined) this.backend = this.host.backendNamed(named) ?? this.backend;
    }
    const backend = this.backend;
    if (backend === undefined) return this.#abort('P', 'R');
    sessionOpened(backend.counters);
    this.#countedInBackend = true;
    const choice = chooseServer(backend, this, undefined, () => backend.persistence?.stickTarget(this, this.runtime.now()));
    this.#leg.begin(backend, choice.server, true, choice.force);
  }

  /** A tcp session has no transaction boundary to stop at: it runs until either side closes. */
  drain(): void {}

  /** Ends the session now (soft-stop grace expired, admin kill). */
  kill(cause: 'K' | 'D' | 'U' = 'K'): void {
    if (this.phase !== 'closed') this.#abort(cause, this.phase === 'established' ? 'D' : 'C');
  }

  // ---- the server leg ----------------------------------------------------------------------

  granted(server: Server): void {
    this.#leg.granted(server);
  }

  legScheduled(): void {
    this.#schedule();
  }

  serverUnreachable(cause: TerminationCause, phase: TerminationPhase): void {
    this.#abort(cause, phase);
  }

  serverConnected(socket: Socket): void {
    const now = this.runtime.now();
    this.server = socket;
    this.phase = 'established';
    this.#serverClosed = false;
    this.#serverEnded = false;
    // Connected: stick rules record the server (HAProxy stores once the server is known).
    (this.backend as Backend).persistence?.stored(this, this.#leg.server as Server, now);
    this.#serverLast = now;
    this.#clientLast = now;
    const pending = this.#pending;
    this.#pending = undefined;
    let flowing = true;
    if (pending !== undefined) for (const chunk of pending) flowing = socket.write(chunk);
    this.#pendingBytes = 0;
    if (flowing) this.client.resume();
    else this.#clientHeld = true;
    if (this.#clientEnded) socket.end();
    this.#schedule();
  }

  /** Copies what the log needs from the leg before finish() releases the slot and forgets them. */
  #keepLegFacts(): void {
    const leg = this.#leg;
    this.waitTime = leg.waitTime;
    this.connectTime = leg.connectTime;
    this.connectStartedAt = leg.connectStartedAt;
    this.retries = leg.retries;
    this.redispatched = leg.redispatched;
    this.lastServerName = leg.lastServerName;
  }

  // ---- socket events -------------------------------------------------------------------

  onData(socket: Socket, chunk: Uint8Array): void {
    const n = chunk.byteLength;
    if (socket === this.client) {
      this.bytesFromClient += n;
      this.host.counters.bin += n;
      this.#clientLast = this.runtime.now();
      const server = this.server;
      if (this.phase === 'established' && server !== undefined) {
        if (this.#serverClosed) return this.#abort('S', 'D');
        const backend = this.backend as Backend;
        backend.counters.bin += n;
        (this.srv as Server).counters.bin += n;
        this.#serverLast = this.#clientLast;
        if (!server.write(chunk)) {
          this.#clientHeld = true;
          socket.pause();
        }
      } else if (this.#pending !== undefined) {
        this.#pending.push(chunk);
        this.#pendingBytes += n;
        if (this.#pendingBytes >= PENDING_LIMIT) socket.pause();
      }
    } else if (socket === this.server) {
      this.bytesFromServer += n;
      this.host.counters.bout += n;
      (this.backend as Backend).counters.bout += n;
      (this.srv as Server).counters.bout += n;
      this.#serverLast = this.runtime.now();
      this.#clientLast = this.#serverLast;
      if (!this.client.write(chunk)) {
        this.#serverHeld = true;
        socket.pause();
      }
    }
  }

  onDrain(socket: Socket): void {
    if (socket === this.client) {
      this.#clientLast = this.runtime.now();
      if (this.#serverHeld) {
        this.#serverHeld = false;
        this.server?.resume();
      }
    } else if (socket === this.server) {
      this.#serverLast = this.runtime.now();
      if (this.#clientHeld) {
        this.#clientHeld = false;
        this.client.resume();
      }
    }
  }

  onEnd(socket: Socket): void {
    if (socket === this.client) {
      this.#clientEnded = true;
      if (this.phase === 'established') this.server?.end();
    } else if (socket === this.server) {
      this.#serverEnded = true;
      this.client.end();
    }
  }

  onClose(socket: Socket, error: SocketError | undefined): void {
    if (socket === this.client) {
      this.#clientClosed = true;
      if (this.phase === 'closed') return;
      if (this.phase !== 'established') return this.#abort('C', this.#leg.step === 'queued' ? 'Q' : 'C');
      if (this.#serverClosed) return this.#finish();
      if (error !== undefined || !this.#clientEnded || !this.#serverEnded) {
        // The client vanished: nothing the server sends can be delivered any more.
        this.#setTermination('C', 'D');
        this.server?.destroy();
      }
      // Otherwise both directions finished normally: the server socket closes once flushed.
    } else if (socket === this.server) {
      this.#serverClosed = true;
      if (this.phase === 'closed') return;
      if (error !== undefined || !this.#serverEnded) {
        this.#setTermination('S', 'D');
        (this.backend as Backend).counters.eresp++;
      }
      if (this.#clientClosed) return this.#finish();
      // Deliver what is already queued for the client, then FIN; its close finishes the session.
      this.client.end();
    }
  }

  // ---- timeouts --------------------------------------------------------------------------

  /** Arms the session's single timer for its earliest deadline, unless already armed earlier. */
  #schedule(): void {
    const due = this.#nextDeadline();
    if (due === undefined || due >= this.#timerDue) return;
    if (this.#timer !== undefined) this.runtime.clearTimer(this.#timer);
    this.#timerDue = due;
    this.#timer = this.runtime.setTimer(() => this.#onTimer(), Math.max(0, due - this.runtime.now()));
  }

  #nextDeadline(): number | undefined {
    const client = this.host.timeouts;
    const clientDeadline = this.#clientDeadline(client);
    switch (this.phase) {
      case 'connecting':
        return earliest(clientDeadline, this.#leg.deadline());
      case 'established':
        return earliest(clientDeadline, this.#serverDeadline());
      case 'closed':
        return undefined;
    }
  }

  #clientDeadline(t: Timeouts): number | undefined {
    if (this.#clientHeld) return undefined; // waiting on the server, not the client's fault
    if (this.phase === 'established' && (this.backend as Backend).timeouts.tunnel !== undefined) {
      return Math.max(this.#clientLast, this.#serverLast) + ((this.backend as Backend).timeouts.tunnel as number);
    }
    const timeout = this.#clientEnded ? (t.clientFin ?? t.client) : t.client;
    return timeout === undefined ? undefined : this.#clientLast + timeout;
  }

  #serverDeadline(): number | undefined {
    if (this.#serverHeld) return undefined;
    const t = (this.backend as Backend).timeouts;
    if (t.tunnel !== undefined) return undefined; // covered by the client-side tunnel deadline
    const timeout = this.#serverEnded ? (t.serverFin ?? t.server) : t.server;
    return timeout === undefined ? undefined : this.#serverLast + timeout;
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.phase === 'closed') return;
    const now = this.runtime.now();
    const clientDeadline = this.#clientDeadline(this.host.timeouts);
    if (clientDeadline !== undefined && now >= clientDeadline) {
      const phase: TerminationPhase = this.phase === 'established' ? 'D' : this.#leg.step === 'queued' ? 'Q' : 'C';
      return this.#abort('c', phase);
    }
    switch (this.phase) {
      case 'connecting':
        if (this.#leg.expire(now)) return this.#schedule();
        break;
      case 'established': {
        const serverDeadline = this.#serverDeadline();
        if (serverDeadline !== undefined && now >= serverDeadline) {
          (this.backend as Backend).counters.eresp++;
          return this.#abort('s', 'D');
        }
        break;
      }
    }
    this.#schedule();
  }

  // ---- teardown ----------------------------------------------------------------------------

  #setTermination(cause: TerminationCause, phase: TerminationPhase): void {
    if (this.terminationCause === '-') {
      this.terminationCause = cause;
      this.terminationPhase = phase;
    }
  }

  /** Ends the session at once, both sockets destroyed. */
  #abort(cause: TerminationCause, phase: TerminationPhase): void {
    this.#setTermination(cause, phase);
    const server = this.server;
    this.server = undefined;
    this.#serverClosed = true;
    server?.destroy();
    this.#clientClosed = true;
    this.client.destroy();
    this.#finish();
  }

  #finish(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.closedAt = this.runtime.now();
    this.#pending = undefined;
    if (this.#timer !== undefined) {
      this.runtime.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    this.#keepLegFacts();
    this.#leg.finish();
    if (this.#countedInBackend) (this.backend as Backend).counters.scur--;
    this.host.counters.scur--;
    this.host.limits.current--;
    this.#log();
    this.host.sessionEnded(this);
  }

  #log(): void {
    const host = this.host;
    if (!host.logger.enabled || !host.model.options.tcplog) return;
    if (host.model.options.dontlognull && this.isNull) return;
    const counts = {
      process: host.limits.current,
      frontend: host.counters.scur,
      backend: this.backend?.counters.scur ?? 0,
      server: this.srv?.active ?? 0,
    };
    host.logger.emit(LogLevel.info, host.logger.json ? formatTcpLogJson(this, host.name, counts) : formatTcpLog(this, host.name, counts));
  }

  /** True when the client sent no byte at all (what `option dontlognull` skips). */
  get isNull(): boolean {
    return this.bytesFromClient === 0;
  }

}
