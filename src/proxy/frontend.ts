import type { BindModel, FrontendModel, Timeouts } from '../config/model.ts';
import { TcpSession } from '../l4/tcp-session.ts';
import { H1ClientConnection } from '../mux/h1-client.ts';
import type { ProxySession, SessionHost } from './session.ts';
import { LogLevel, type ProxyLogger } from '../log/logger.ts';
import { TrafficLog } from '../log/traffic-log.ts';
import type { Listener, Runtime, Socket, SocketHandler } from '../runtime.ts';
import type { Backend } from './backend.ts';
import { newFrontendCounters, type FrontendCounters } from './counters.ts';
import type { ProcessLimits, WaitingFrontend } from './process-limits.ts';
import { ServerConnectionPool } from '../http/server-pool.ts';
import { listenerBacklog } from './listener-backlog.ts';
import { ProcessVars } from '../rules/vars.ts';
import { NO_USERLISTS, type UserlistTable } from '../auth/userlist.ts';
import type { StickTable } from '../stick/stick-table.ts';

/** Raised when a bind line cannot be served (address in use, permission, bad certificate). */
export class BindError extends Error {
  readonly code = 'BIND_FAILED';
  readonly bind: BindModel;
  constructor(bind: BindModel, frontend: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`[${bind.source.file}:${bind.source.line}] frontend '${frontend}': cannot bind ${bind.host}:${bind.port}: ${reason}`);
    this.bind = bind;
  }
}

/**
 * Connections held back by maxconn. They stay paused (unread) like entries of the kernel's
 * accept backlog; this handler only notices those that give up while waiting.
 */
class HeldConnectionHandler implements SocketHandler {
  readonly #held: Socket[];
  readonly #counters: FrontendCounters;
  constructor(held: Socket[], counters: FrontendCounters) {
    this.#held = held;
    this.#counters = counters;
  }
  onData(): void {}
  onEnd(socket: Socket): void {
    socket.destroy();
  }
  onDrain(): void {}
  onClose(socket: Socket): void {
    const i = this.#held.indexOf(socket);
    if (i >= 0) {
      this.#held.splice(i, 1);
      this.#counters.waiting--;
    }
  }
}

export class Frontend implements SessionHost, WaitingFrontend {
  readonly runtime: Runtime;
  readonly name: string;
  readonly model: FrontendModel;
  readonly counters: FrontendCounters = newFrontendCounters();
  readonly timeouts: Timeouts;
  readonly backend: Backend | undefined;
  readonly sessions = new Set<ProxySession>();
  readonly listeners: Listener[] = [];
  readonly limits: ProcessLimits;
  readonly logger: ProxyLogger;
  readonly trafficLog: TrafficLog;
  /** Idle server connections for this frontend's HTTP transactions (mode http). */
  readonly pools: (backend: Backend) => ServerConnectionPool;
  /** The generation's `proc` variables. */
  readonly procVars: ProcessVars;
  readonly userlists: UserlistTable;
  /** The generation's stick tables by proxy name (track-sc, sc_* / src_* fetches). */
  readonly stickTables: ReadonlyMap<string, StickTable>;
  /** Every backend of the generation, for `use_backend`. */
  readonly #backends: ReadonlyMap<string, Backend>;
  readonly #held: Socket[] = [];
  readonly #heldHandler: HeldConnectionHandler;
  /** How many connections may wait for a slot before new ones are refused (HAProxy's backlog). */
  readonly #backlog: number;
  /** The accept queue asked of the kernel for each bind, in bind order. */
  readonly #listenerBacklogs: readonly number[];
  #stopping = false;
  #idleWaiters: (() => void)[] = [];

  constructor(
    runtime: Runtime,
    model: FrontendModel,
    backend: Backend | undefined,
    limits: ProcessLimits,
    logger: ProxyLogger,
    pools: (backend: Backend) => ServerConnectionPool,
    backends: ReadonlyMap<string, Backend> = new Map(),
    procVars: ProcessVars = new ProcessVars(),
    userlists: UserlistTable = NO_USERLISTS,
    stickTables: ReadonlyMap<string, StickTable> = new Map(),
  ) {
    this.#backends = backends;
    this.stickTables = stickTables;
    this.procVars = procVars;
    this.userlists = userlists;
    this.runtime = runtime;
    this.model = model;
    this.name = model.name;
    this.timeouts = model.timeouts;
    this.backend = backend;
    this.limits = limits;
    this.logger = logger;
    this.trafficLog = new TrafficLog(model, logger);
    this.pools = pools;
    this.#heldHandler = new HeldConnectionHandler(this.#held, this.counters);
    this.#listenerBacklogs = model.binds.map((bind) => listenerBacklog(bind, model, limits.maxconn));
    // One queue for all the binds: as long as the longest of their kernel queues.
    this.#backlog = Math.max(0, ...this.#listenerBacklogs);
  }

  /** Opens every bind. On failure, listeners opened so far are closed again. */
  async start(): Promise<void> {
    for (const [i, bind] of this.model.binds.entries()) {
      try {
        const listener = await this.runtime.listen(
          {
            host: bind.host,
            port: bind.port,
            ipv6Only: bind.v6only,
            backlog: this.#listenerBacklogs[i] as number,
            ...(bind.ssl
              ? {
                  tls: {
                    certificates: bind.ssl.certificates.map((c) => ({ certPem: c.certPem, keyPem: c.keyPem, source: c.path })),
                    ...(bind.alpn ? { alpn: bind.alpn } : {}),
                  },
                }
              : {}),
          },
          this.#accept,
        );
        this.listeners.push(listener);
      } catch (error) {
        await this.stopListening();
        throw new BindError(bind, this.name, error);
      }
    }
  }

  readonly #accept = (socket: Socket): void => {
    if (this.#stopping) {
      socket.destroy();
      return;
    }
    if (this.#full) {
      if (this.#held.length >= this.#backlog) {
        // The backlog is full too: refuse, as the kernel would.
        this.counters.dreq++;
        socket.destroy();
        return;
      }
      socket.pause();
      socket.setHandler(this.#heldHandler);
      this.#held.push(socket);
      this.counters.waiting++;
      this.limits.hold(this);
      return;
    }
    this.#startSession(socket);
  };

  get #full(): boolean {
    return this.limits.full || (this.model.maxconn > 0 && this.counters.scur >= this.model.maxconn);
  }

  admitWaiting(): boolean {
    while (this.#held.length > 0 && !this.#full) {
      const socket = this.#held.shift() as Socket;
      this.counters.waiting--;
      socket.resume();
      this.#startSession(socket);
    }
    return this.#held.length > 0;
  }

  #startSession(socket: Socket): void {
    this.limits.current++;
    // As HAProxy does: small writes (a response head, then its body) must not wait for the
    // peer's delayed ACK under Nagle's algorithm.
    socket.setNoDelay(true);
    // Without a log format (log-format, tcplog, httplog), HAProxy logs each connection as it is accepted.
    if (this.logger.enabled && !this.trafficLog.hasFormat) {
      this.logger.emit(
        LogLevel.info,
        `Connect from ${socket.remoteAddress}:${socket.remotePort} to ${socket.localAddress}:${socket.localPort} (${this.name}/${this.model.mode === 'http' ? 'HTTP' : 'TCP'})`,
      );
    }
    // HAProxy's implicit upgrade: a tcp frontend whose default backend speaks HTTP serves HTTP.
    if (this.model.mode === 'http' || this.backend?.mode === 'http') {
      this.sessions.add(new H1ClientConnection(this, socket, this.backend));
      return;
    }
    const session = new TcpSession(this, socket, this.backend);
    this.sessions.add(session);
    session.start();
  }

  backendNamed(name: string): Backend | undefined {
    return this.#backends.get(name);
  }

  sessionEnded(session: ProxySession): void {
    this.sessions.delete(session);
    if (this.#held.length > 0) this.admitWaiting();
    this.limits.released();
    if (this.sessions.size === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Stops accepting: listeners close, held connections are refused. */
  async stopListening(): Promise<void> {
    this.#stopping = true;
    const listeners = this.listeners.splice(0);
    await Promise.all(listeners.map((l) => l.close()));
    for (const socket of this.#held.splice(0)) socket.destroy();
    this.counters.waiting = 0;
  }

  /** Resolves when no session is left. */
  whenIdle(): Promise<void> {
    if (this.sessions.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Soft stop: sessions finish their transaction in flight and then close. */
  drainSessions(): void {
    for (const session of [...this.sessions]) session.drain();
  }

  killSessions(): void {
    for (const session of [...this.sessions]) session.kill();
  }
}
