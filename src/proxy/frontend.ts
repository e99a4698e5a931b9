import type { BindModel, FrontendModel, Timeouts } from '../config/model.ts';
import { TcpSession } from '../l4/tcp-session.ts';
import { HttpSession } from '../http/http-session.ts';
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
import { ConnectionInfo } from './connection-info.ts';
import { ProxyHeaderWait, type ProxyHeaderWaiter } from './proxy-header-wait.ts';
import type { ProxyHeaderErrorText } from './proxy-protocol.ts';
import { formatAcceptDate } from '../log/log-time.ts';

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
interface HeldConnection {
  readonly socket: Socket;
  readonly bind: BindModel;
}

class HeldConnectionHandler implements SocketHandler {
  readonly #held: HeldConnection[];
  readonly #counters: FrontendCounters;
  constructor(held: HeldConnection[], counters: FrontendCounters) {
    this.#held = held;
    this.#counters = counters;
  }
  onData(): void {}
  onEnd(socket: Socket): void {
    socket.destroy();
  }
  onDrain(): void {}
  onClose(socket: Socket): void {
    const i = this.#held.findIndex((h) => h.socket === socket);
    if (i >= 0) {
      this.#held.splice(i, 1);
      this.#counters.waiting--;
    }
  }
}

export class Frontend implements SessionHost, WaitingFrontend, ProxyHeaderWaiter {
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
  /** Every backend of the generation, for `use_backend`. */
  readonly #backends: ReadonlyMap<string, Backend>;
  readonly #held: HeldConnection[] = [];
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
  ) {
    this.#backends = backends;
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
          (socket) => this.#accept(socket, bind),
        );
        this.listeners.push(listener);
      } catch (error) {
        await this.stopListening();
        throw new BindError(bind, this.name, error);
      }
    }
  }

  #accept(socket: Socket, bind: BindModel): void {
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
      this.#held.push({ socket, bind });
      this.counters.waiting++;
      this.limits.hold(this);
      return;
    }
    this.#startSession(socket, bind);
  }

  get #full(): boolean {
    return this.limits.full || (this.model.maxconn > 0 && this.counters.scur >= this.model.maxconn);
  }

  admitWaiting(): boolean {
    while (this.#held.length > 0 && !this.#full) {
      const { socket, bind } = this.#held.shift() as HeldConnection;
      this.counters.waiting--;
      socket.resume();
      this.#startSession(socket, bind);
    }
    return this.#held.length > 0;
  }

  #startSession(socket: Socket, bind: BindModel): void {
    this.limits.current++;
    this.counters.connTot++;
    // As HAProxy does: small writes (a response head, then its body) must not wait for the
    // peer's delayed ACK under Nagle's algorithm.
    socket.setNoDelay(true);
    const info = new ConnectionInfo(socket);
    if (bind.acceptProxy === true) {
      // HAProxy's embryonic session: nothing else happens before the header, bounded by `timeout client`.
      this.sessions.add(new ProxyHeaderWait(this, socket, info, this.timeouts.client, bind.name ?? String(this.model.binds.indexOf(bind) + 1)));
      return;
    }
    this.#openSession(socket, info, undefined);
  }

  /** The connection's addresses are known: a session (tcp or http) serves it from now on. */
  #openSession(socket: Socket, info: ConnectionInfo, received: Uint8Array | undefined): void {
    // Without a log format (log-format, tcplog, httplog), HAProxy logs each connection as it is accepted.
    if (this.logger.enabled && !this.trafficLog.hasFormat) {
      this.logger.emit(
        LogLevel.info,
        `Connect from ${info.clientAddress}:${info.clientPort} to ${info.localAddress}:${info.localPort} (${this.name}/${this.model.mode === 'http' ? 'HTTP' : 'TCP'})`,
      );
    }
    if (this.trafficLog.pinsFrontAddress) info.pinLocal();
    // HAProxy's implicit upgrade: a tcp frontend whose default backend speaks HTTP serves HTTP.
    if (this.model.mode === 'http' || this.backend?.mode === 'http') {
      const session = new HttpSession(this, socket, this.backend, info);
      this.sessions.add(session);
      if (received !== undefined) session.onData(socket, received);
      return;
    }
    const session = new TcpSession(this, socket, this.backend, info);
    this.sessions.add(session);
    session.start();
    if (received !== undefined) session.onData(socket, received);
  }

  proxyHeaderReceived(wait: ProxyHeaderWait, socket: Socket, info: ConnectionInfo, rest: Uint8Array | undefined): void {
    this.sessions.delete(wait);
    this.#openSession(socket, info, rest);
  }

  /**
   * session_kill_embryonic: the connection is gone; it was counted as a connection, never as a
   * session. Logged as HAProxy does when the frontend logs (`dontlognull` hides empty ones).
   */
  proxyHeaderFailed(wait: ProxyHeaderWait, info: ConnectionInfo, error: ProxyHeaderErrorText): void {
    this.counters.failedHandshakes++;
    if (this.logger.enabled && !(this.model.options.dontlognull && isEmptyConnection(error))) {
      const level = this.model.options.logSeparateErrors ? LogLevel.err : LogLevel.info;
      this.logger.emit(level, `${info.clientAddress}:${info.clientPort} [${formatAcceptDate(this.runtime.wallClock())}] ${this.name}/${wait.listenerName}: ${error}`);
    }
    this.limits.current--;
    this.sessionEnded(wait);
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
    for (const held of this.#held.splice(0)) held.socket.destroy();
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

function isEmptyConnection(error: ProxyHeaderErrorText): boolean {
  return error === 'Connection closed while waiting for PROXY protocol header' || error === 'Connection error while waiting for PROXY protocol header';
}

