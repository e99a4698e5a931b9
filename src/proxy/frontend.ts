import type { ResolversLookup } from '../dns/stream-resolution.ts';
import type { HeaderCaseMap } from '../mux/h1-header-case.ts';
import { listenOnInherited } from './inherited-listener.ts';
import type { BindModel, FrontendModel, Timeouts } from '../config/model.ts';
import type { Caches } from '../cache/caching.ts';
import { TcpSession } from '../l4/tcp-session.ts';
import { H1ClientConnection, type Http2Upgrader } from '../mux/h1-client.ts';
import { servesHttp2 } from '../mux/h2-select.ts';
import { H2ClientConnection, type H2Options } from '../mux/h2-client.ts';
import type { ProxySession, SessionHost } from './session.ts';
import { LogLevel, type ProxyLogger } from '../log/logger.ts';
import { TrafficLog } from '../log/traffic-log.ts';
import { certificateGenerator } from './generated-certificates.ts';
import type { Listener, ListenTlsOptions, Runtime, Socket, SocketHandler, TimerHandle, TlsHandshakeFailure, TlsInfo } from '../runtime.ts';
import { clientCertificateError, clientCertificateRejected, failedTlsInfo, handshakeFailureError, handshakeFailureTls, listenTlsOptions, startsWithHeader } from './tls-listen.ts';
import { NetscalerCipError } from './netscaler-cip.ts';
import { ProxyHeaderError } from './proxy-protocol.ts';
import { logConnectionFailure } from './connection-failure-log.ts';
import type { Backend } from './backend.ts';
import { connectionAccepted, newFrontendCounters, type FrontendCounters } from './counters.ts';
import { addToListener, listenerConnectionOpened, listenerStatsOf, type ListenerStats } from './listener-stats.ts';
import type { ProcessLimits, WaitingFrontend } from './process-limits.ts';
import { ServerConnectionPool } from '../http/server-pool.ts';
import { listenerBacklog } from './listener-backlog.ts';
import { ProcessVars } from '../rules/vars.ts';
import { NO_USERLISTS, type UserlistTable } from '../auth/userlist.ts';
import type { StickTable } from '../stick/stick-table.ts';
import { ConnectionInfo } from './connection-info.ts';
import { ProxyHeaderWait, type EmbryonicErrorText, type ProxyHeaderWaiter } from './proxy-header-wait.ts';
import { formatAcceptDate } from '../log/log-time.ts';
import { TcpRuleContext } from '../rules/tcp/tcp-rule-context.ts';
import { runTcpRules, tcpRulesOf, type ProxyTcpRules } from '../rules/tcp/tcp-rules.ts';
import { ContentWait, type ContentOutcome, type ContentWaiter, type HeldInput } from './content-wait.ts';
import { httpRulesOf, switchingTarget } from '../rules/http-rules.ts';
import { upgradeMux } from '../mux/http-upgrade.ts';
import type { Services } from '../services/services.ts';
import { socketFileOptions } from './socket-owners.ts';
import { applyTcpKeepAlive } from './tcp-keepalive.ts';
import { withLingerPolicy } from './no-linger-socket.ts';
import { ocspResponsesOf } from './ocsp-responses.ts';
import { streamCapturesFor } from '../stream/captures.ts';
import { SoftStopClosing } from './soft-stop-closing.ts';

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

export class Frontend implements SessionHost, Http2Upgrader, WaitingFrontend, ProxyHeaderWaiter, ContentWaiter {
  readonly runtime: Runtime;
  /** The configuration's internal services (`use-service`). */
  readonly services: Services | undefined;
  /** The configuration's `cache` sections, set by the Proxy. */
  caches: Caches | undefined = undefined;
  /** The configuration's `resolvers` sections when a `do-resolve` rule uses them, set by the Proxy. */
  resolvers: ResolversLookup | undefined = undefined;
  /** `option h1-case-adjust-bogus-client` at work (set by the proxy, which holds the global map). */
  headerCase: HeaderCaseMap | undefined = undefined;
  readonly name: string;
  /** HAProxy's proxy uuid (`fe_id`); 0 when the model has none. */
  readonly id: number;
  readonly model: FrontendModel;
  readonly counters: FrontendCounters = newFrontendCounters();
  /** Per-listener counters (`option socket-stats`); undefined without the option. */
  readonly listenerStats: ReadonlyMap<BindModel, ListenerStats> | undefined;
  /** The generation's frontends, for `fe_conn(NAME)` and friends (set by the Proxy). */
  #peers: readonly Frontend[] = [];
  readonly timeouts: Timeouts;
  readonly backend: Backend | undefined;
  readonly sessions = new Set<ProxySession>();
  /** The frontend's `maxconn` (0 = only the global limit); the runtime API may change it. */
  maxconn: number;
  /** `rate-limit sessions N`: new sessions per second (HAProxy's fe_sps_lim); 0 = none. */
  readonly rateLimit: number;
  /** Where ProcessLimits counts this frontend's connections (FIRST_FRONTEND_SLOT + its index); -1: nowhere. */
  limitSlot = -1;
  /**
   * One of several threads (`nbthread`): `maxconn` is checked against the connections of every
   * thread (ProcessLimits), not this thread's sessions.
   */
  threaded = false;
  /**
   * Its thread (`nbthread`): it opens the binds whose `thread` set names it (all of them without
   * one), but a UNIX socket, whose path one socket holds, or an inherited one only in the first
   * thread of the set.
   */
  threadIndex = 0;
  /** The generation's `tune.h2.*` settings for the HTTP/2 mux (set by the Proxy). */
  h2Options: H2Options = {};
  /** An `admin` runtime API may replace the certificates of the TLS binds (set by the Proxy). */
  certificatesReplaceable = false;
  /** The listeners this thread opened (not every bind: see threadIndex). */
  readonly listeners: Listener[] = [];
  /** Each bind's listener in this thread, by the bind's position; undefined where another thread listens. */
  #bindListeners: (Listener | undefined)[] = [];
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
  readonly #held: HeldConnection[] = [];
  readonly #heldHandler: HeldConnectionHandler;
  /** How many connections may wait for a slot before new ones are refused (HAProxy's backlog). */
  readonly #backlog: number;
  /** The accept queue asked of the kernel for each bind, in bind order. */
  readonly #listenerBacklogs: readonly number[];
  #stopping = false;
  #paused = false;
  #stopAnnounced = false;
  /** How the sessions end once the listeners are closed (drainSessions). */
  #closing = SoftStopClosing.atOnce;
  /** Wakes the held connections once a rate limit allows one more (HAProxy's listener queue task). */
  #rateTimer: TimerHandle | undefined;
  /**
   * listener_accept's transient_error: a connection was refused past `maxsslconn`, so the `ssl`
   * listeners accept nothing for up to 100 ms, or until a connection of the frontend ends.
   */
  #pauseTimer: TimerHandle | undefined;
  /**
   * `maxsslrate` or `maxsslconn` is set: the core starts each TLS handshake itself (deferred
   * listeners), so that a connection waiting past the rate, or refused past the count, has not
   * made one (HAProxy accounts them before they enter the SSL stack). Set by the Proxy.
   */
  holdsTlsHandshakes = false;
  /** Listeners set SO_REUSEPORT (HAProxy's default; a reload's new worker binds beside them); `noreuseport` clears it. Set by the Proxy. */
  sharesPorts = true;
  /** `tcp-request` rules of this frontend, compiled once per generation; undefined without any. */
  readonly #tcpRules: ProxyTcpRules | undefined;
  /** A `tcp-request connection expect-proxy|expect-netscaler-cip` rule may ask a header before a TLS handshake. */
  readonly #expectsProxy: boolean;
  /** The waits of connections not yet sessions (PROXY header, content rules), by socket. */
  readonly #tcpContexts = new WeakMap<object, TcpRuleContext>();
  /** Embryonic sessions of `ssl` + `accept-proxy` binds: their handshake runs after the header. */
  readonly #waitBinds = new WeakMap<ProxyHeaderWait, BindModel>();
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
    services?: Services,
  ) {
    this.services = services;
    this.#backends = backends;
    this.stickTables = stickTables;
    this.procVars = procVars;
    this.userlists = userlists;
    this.runtime = runtime;
    this.model = model;
    this.id = model.id ?? 0;
    this.maxconn = model.maxconn;
    this.rateLimit = model.rateLimitSessions ?? 0;
    this.listenerStats = listenerStatsOf(model);
    this.name = model.name;
    this.timeouts = model.timeouts;
    this.backend = backend;
    this.limits = limits;
    this.logger = logger;
    this.#tcpRules = tcpRulesOf(model, 'frontend');
    // HAProxy's to_log counts the variables of every format of the proxy, its rules' included.
    this.trafficLog = new TrafficLog(model, logger, httpRulesOf(model, 'frontend')?.waitsForEnd === true || this.#tcpRules?.waitsForEnd === true);
    this.pools = pools;
    this.#heldHandler = new HeldConnectionHandler(this.#held, this.counters);
    this.#expectsProxy = model.tcpRules?.connection.some((r) => r.action === 'expect-proxy' || r.action === 'expect-netscaler-cip') === true;
    this.#listenerBacklogs = model.binds.map((bind) => listenerBacklog(bind, model, limits.maxconn));
    // One queue for all the binds: as long as the longest of their kernel queues.
    this.#backlog = Math.max(0, ...this.#listenerBacklogs);
  }

  /** Opens every bind. On failure, listeners opened so far are closed again. */
  async start(): Promise<void> {
    const failed = await this.#openBinds();
    if (failed !== undefined) {
      await this.stopListening();
      throw new BindError(failed.bind, this.name, failed.error);
    }
  }

  /**
   * `disable frontend`, SIGTTOU (HAProxy's pause_proxy): the listeners close, so that another
   * process may bind the ports, until resume() opens them again; connections already accepted
   * (and those held back by a limit) go on. False where a listener cannot be opened again: an
   * inherited descriptor (`fd@`), which closing would lose (HAProxy's "failed to enter pause mode").
   */
  async pause(): Promise<boolean> {
    if (this.#stopping || this.#paused) return true;
    if (this.model.binds.some((bind) => bind.fd !== undefined)) return false;
    this.#paused = true;
    this.#bindListeners = [];
    const listeners = this.listeners.splice(0);
    await Promise.all(listeners.map((l) => l.close()));
    return true;
  }

  /**
   * `enable frontend`, SIGTTIN (resume_proxy): the binds open again. When one cannot (another
   * process took its port), those opened are closed and the frontend stays paused: the failed
   * bind is returned.
   */
  async resume(): Promise<BindModel | undefined> {
    if (this.#stopping || !this.#paused) return undefined;
    const failed = await this.#openBinds();
    if (failed === undefined) {
      this.#paused = false;
      return undefined;
    }
    this.#bindListeners = [];
    const opened = this.listeners.splice(0);
    await Promise.all(opened.map((l) => l.close()));
    return failed.bind;
  }

  /** Paused by pause() (its listeners closed until resume()). */
  get paused(): boolean {
    return this.#paused;
  }

  /** Opens the binds this thread serves; the first that fails, with its error, stops it. */
  async #openBinds(): Promise<{ bind: BindModel; error: unknown } | undefined> {
    this.#bindListeners = [];
    for (const [i, bind] of this.model.binds.entries()) {
      this.#bindListeners.push(undefined);
      if (!this.#listensOn(bind)) continue;
      try {
        const generator = certificateGenerator(bind, this.runtime);
        const tls = bind.ssl
          ? {
              tls: {
                ...(listenTlsOptions(bind, this.certificatesReplaceable, this.#expectsProxy || this.holdsTlsHandshakes, ocspResponsesOf(this.runtime)) as ListenTlsOptions),
                onHandshakeFailure: (failure: TlsHandshakeFailure) => this.#handshakeFailed(failure, bind),
                onSessionLookup: this.#sessionLookedUp,
                ...(generator !== undefined ? { generateCertificate: (name: string) => generator.certificateFor(name) } : {}),
              },
            }
          : {};
        const backlog = this.#listenerBacklogs[i] as number;
        const listener =
          bind.fd !== undefined
            ? await listenOnInherited(this.runtime, { fd: bind.fd, ...tls }, (socket) => this.#accept(socket, bind))
            : bind.unix === true
            ? await this.runtime.listenUnix({ path: bind.host, backlog, ...socketFileOptions(bind.mode, bind.owner), ...tls }, (socket) => this.#accept(socket, bind))
            : // reusePort, as HAProxy's listeners: a reload's new worker binds beside this one.
              await this.runtime.listen({ host: bind.host, port: bind.port, ipv6Only: bind.v6only, backlog, reusePort: this.sharesPorts, ...tls }, (socket) => this.#accept(socket, bind));
        this.listeners.push(listener);
        this.#bindListeners[i] = listener;
      } catch (error) {
        return { bind, error };
      }
    }
    return undefined;
  }

  /** `thread`: the threads that accept on the bind; one socket file or inherited descriptor: the first of them. */
  #listensOn(bind: BindModel): boolean {
    const threads = bind.threads;
    if (bind.unix === true || bind.fd !== undefined) return this.threadIndex === (threads?.[0] ?? 0);
    return threads === undefined || threads.includes(this.threadIndex);
  }

  /** The listener of the bind at `index` of the model in this thread, if this thread listens on it. */
  listenerOf(index: number): Listener | undefined {
    return this.#bindListeners[index];
  }

  /**
   * The frontend's listeners are open in the process (HAProxy's OPEN): it has binds and was not
   * stopped, though with `thread` sets this thread may hold none of them.
   */
  get listening(): boolean {
    return !this.#stopping && this.model.binds.length > 0;
  }

  #accept(socket: Socket, bind: BindModel): void {
    // A connection the runtime hands over after stopListening() (Deno's pending accept resolves
    // after the close) is a client the kernel accepted: it is served, as the soft stop's others.
    const clientAuth = bind.ssl?.clientAuth;
    // A deferred handshake (`accept-proxy` on `ssl`) is judged once it ran (proxyHeaderReceived).
    if (clientAuth !== undefined && socket.startTls === undefined && clientCertificateRejected(clientAuth, socket.tls)) {
      // HAProxy fails the handshake (no session); the runtimes finished it, so the connection
      // is closed here, and logged as HAProxy logs a failed handshake.
      this.limits.sslConnectionAccepted();
      this.limits.sslConnectionRefused();
      const info = new ConnectionInfo(socket);
      info.error = clientCertificateError(socket.tls, this.runtime.tlsLibrary);
      socket.destroy();
      this.#connectionFailed(info, socket.tls, bind);
      return;
    }
    if (this.#full || this.#rateLimited(bind) || !this.#takeSlot()) {
      if (this.#held.length >= this.#backlog || this.#stopping) {
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

  /** The listeners wait (HAProxy's LI_LIMITED): the frontend's or the process's limit is reached, or a rate limit holds. */
  get limited(): boolean {
    return this.#full || this.#rateTimer !== undefined || this.#pauseTimer !== undefined;
  }

  get #full(): boolean {
    return this.limits.full || (this.maxconn > 0 && (this.threaded ? this.limits.frontendCurrent(this.limitSlot) : this.counters.scur) >= this.maxconn);
  }

  /**
   * With several threads, the connection's slot of the process and of the frontend is taken as
   * the last check (another thread may have taken the last one since #full looked); with one,
   * #startSession counts it.
   */
  #takeSlot(): boolean {
    return !this.threaded || this.limits.tryOpen(this.limitSlot, this.maxconn);
  }

  /**
   * listener_accept's rate checks (`maxsessrate`, `maxconnrate`, `maxsslrate` for an `ssl` bind,
   * then `rate-limit sessions`): while one is reached the frontend accepts nothing — its
   * connections wait as in the kernel's backlog, none is refused — and a timer lets them in when
   * the rate allows one more.
   */
  #rateLimited(bind: BindModel): boolean {
    if (this.#pauseTimer !== undefined && bind.ssl !== undefined) return true;
    let wait = this.limits.acceptDelay(bind.ssl !== undefined);
    if (wait === 0 && this.rateLimit > 0) wait = this.limits.frontendAcceptDelay(this.limitSlot, this.rateLimit);
    if (wait === 0) return false;
    if (this.#rateTimer === undefined && !this.#stopping) this.#rateTimer = this.runtime.setTimer(this.#rateAllows, wait);
    return true;
  }

  readonly #rateAllows = (): void => {
    this.#rateTimer = undefined;
    if (this.#held.length > 0) this.admitWaiting();
  };

  readonly #pauseEnds = (): void => {
    this.#pauseTimer = undefined;
    if (this.#held.length > 0) this.admitWaiting();
  };

  #endPause(): void {
    if (this.#pauseTimer === undefined) return;
    this.runtime.clearTimer(this.#pauseTimer);
    this.#pauseTimer = undefined;
  }

  admitWaiting(): boolean {
    while (this.#held.length > 0 && !this.#full && !this.#rateLimited((this.#held[0] as HeldConnection).bind) && this.#takeSlot()) {
      const { socket, bind } = this.#held.shift() as HeldConnection;
      this.counters.waiting--;
      socket.resume();
      this.#startSession(socket, bind);
    }
    return this.#held.length > 0;
  }

  /**
   * ssl_sock_init refused a TLS connection past `maxsslconn` (CO_ER_SSL_TOO_MANY): it was
   * accepted and counted as a connection, never a session, and is closed before any handshake;
   * then the listeners pause (listener_accept's transient_error).
   */
  #refuseSslConnection(socket: Socket): void {
    this.limits.connectionAccepted();
    connectionAccepted(this.counters);
    socket.destroy();
    if (this.#pauseTimer === undefined && !this.#stopping) this.#pauseTimer = this.runtime.setTimer(this.#pauseEnds, 100);
  }

  #startSession(accepted: Socket, bind: BindModel): void {
    // Only a handshake the core starts can be refused before it ran (holdsTlsHandshakes).
    if (bind.ssl !== undefined && accepted.startTls !== undefined && this.limits.sslConnectionsFull) {
      // The slot #takeSlot took (threads) is given back: the connection never counts.
      if (this.threaded) this.limits.closed(this.limitSlot);
      return this.#refuseSslConnection(accepted);
    }
    const socket = withLingerPolicy(accepted, this.model.clientSocket?.noLinger);
    if (!this.threaded) this.limits.opened(this.limitSlot);
    this.limits.connectionAccepted();
    if (bind.ssl !== undefined) {
      // HAProxy counts an `ssl` bind's connection when its listener takes it (ssl_per_sec, which
      // `maxsslrate` limits): here, past any wait in the accept queue.
      this.limits.sslConnectionOpened();
      this.limits.sslConnectionAccepted();
      if (socket.startTls === undefined && socket.tls !== undefined && socket.tls.sessionReused !== true) this.limits.sslKeyCreated(true);
    }
    connectionAccepted(this.counters);
    // As HAProxy does: small writes (a response head, then its body) must not wait for the
    // peer's delayed ACK under Nagle's algorithm.
    socket.setNoDelay(true);
    applyTcpKeepAlive(socket, this.model.clientSocket);
    const info = new ConnectionInfo(socket);
    info.sslOpen = bind.ssl !== undefined;
    info.http2 = servesHttp2(bind, socket);
    const listener = this.listenerStats?.get(bind);
    if (listener !== undefined) {
      info.listenerCounters = listener.counters;
      listenerConnectionOpened(listener.counters);
    }
    info.bindProto = bind.proto;
    info.bind = bind;
    const rules = this.#tcpRules;
    let tcp: TcpRuleContext | undefined;
    if (rules !== undefined) {
      tcp = new TcpRuleContext(info, this.runtime, this.name, this.procVars, this);
      // An HTTP frontend's content rules run in its streams, which have their own captures.
      if (this.model.mode !== 'http') tcp.captures = streamCapturesFor(this.model);
      // `tcp-request connection`: before anything is read, the PROXY header included (session_accept_fd).
      const verdict = rules.connection.length > 0 ? runTcpRules(rules.connection, tcp, undefined) : 'accept';
      if (verdict === 'reject' || verdict === 'drop') {
        // HAProxy closes with a single RST (no-linger); `silent-drop` counts a denied request instead.
        if (verdict === 'reject') {
          this.counters.deniedConnections++;
          if (info.listenerCounters !== undefined) info.listenerCounters.deniedConnections++;
        } else {
          this.counters.dreq++;
          addToListener(info.listenerCounters, 'dreq');
        }
        socket.reset();
        return this.#connectionDropped(info);
      }
    }
    // The listener's accept kept it (HAProxy's l->accept() > 0): the process's sess_per_sec.
    this.limits.sessionAccepted();
    const proxy = bind.acceptProxy === true || tcp?.expectProxy === true;
    // A rule asking for a CIP header on a bind without `accept-netscaler-cip` expects magic 0, as HAProxy's.
    const cipMagic = bind.netscalerCipMagic ?? (tcp?.expectNetscalerCip === true ? 0 : undefined);
    // A deferred TLS socket (an `ssl` bind where a header may come first) waits for its handshake too.
    if (proxy || cipMagic !== undefined || socket.startTls !== undefined) {
      // HAProxy's embryonic session: nothing else happens before the headers, bounded by `timeout client`.
      const wait = new ProxyHeaderWait(this, socket, info, this.timeouts.client, bind.name ?? String(this.model.binds.indexOf(bind) + 1), { proxy, cipMagic });
      if (tcp !== undefined) this.#tcpContexts.set(wait, tcp);
      if (bind.ssl !== undefined) this.#waitBinds.set(wait, bind);
      this.sessions.add(wait);
      return;
    }
    this.#openSession(socket, info, undefined, tcp);
  }

  /** A connection that never became a session is gone: its slot is free, its tracked counters released. */
  #connectionDropped(info: ConnectionInfo | undefined): void {
    if (info?.listenerCounters !== undefined) info.listenerCounters.scur--;
    info?.release(this.runtime.now());
    this.limits.closed(this.limitSlot, info?.sslOpen);
    if (this.#held.length > 0) this.admitWaiting();
    this.limits.released();
  }

  /**
   * The connection's addresses are known (after the PROXY header, if any): `tcp-request session`
   * rules, then `tcp-request content` rules (waiting for data as they need), then a session.
   */
  #openSession(socket: Socket, info: ConnectionInfo, received: Uint8Array | undefined, tcp: TcpRuleContext | undefined): void {
    const rules = this.#tcpRules;
    // Session and content rules may move `src`/`dst` from here on; `fc_src`/`fc_dst` keep these.
    if (rules !== undefined && (rules.session.length > 0 || rules.content.length > 0)) info.pinConnectionAddresses();
    if (rules !== undefined && tcp !== undefined) {
      const verdict = rules.session.length > 0 ? runTcpRules(rules.session, tcp, undefined) : 'accept';
      if (verdict === 'reject') {
        this.counters.deniedSessions++;
        if (info.listenerCounters !== undefined) info.listenerCounters.deniedSessions++;
        socket.destroy();
        return this.#connectionDropped(info);
      }
      if (verdict === 'drop') {
        this.counters.dreq++;
        addToListener(info.listenerCounters, 'dreq');
        socket.reset();
        return this.#connectionDropped(info);
      }
      // A session exists: the connection's trackers count it (sess_cnt, sess_rate).
      info.stick?.countSession(this.runtime.now());
      this.limits.frontendSessionStarted(this.limitSlot);
      if (rules.content.length > 0 && this.model.mode === 'http') {
        // HAProxy creates an HTTP frontend's streams once the mux parsed a request: its content
        // rules run in each stream, the first included, on the whole request head.
        info.contentRulesPerStream = true;
      } else if (rules.content.length > 0) {
        this.#constructing = { socket, info, tcp };
        const wait = new ContentWait(this, socket, tcp, rules, received, this.resolvers);
        this.#constructing = undefined;
        // The rules may have decided at once (no inspect delay): then the session exists already.
        if (!this.#decided.delete(wait)) {
          this.#tcpContexts.set(wait, tcp);
          this.#contentSockets.set(wait, { socket, info });
          this.sessions.add(wait);
        }
        return;
      }
    } else {
      // session_count_new() without session rules: the frontend's fe_sess_per_sec.
      this.limits.frontendSessionStarted(this.limitSlot);
    }
    this.#serve(socket, info, received === undefined ? undefined : { chunks: [received], ended: false }, tcp, 'accept');
  }

  /** ContentWaits that decided inside their constructor (before they could be registered). */
  readonly #decided = new WeakSet<ContentWait>();
  readonly #contentSockets = new WeakMap<ContentWait, { socket: Socket; info: ConnectionInfo }>();
  /** The socket and record of the ContentWait being constructed (its decision may come first). */
  #constructing: { socket: Socket; info: ConnectionInfo; tcp: TcpRuleContext } | undefined;

  contentDecided(wait: ContentWait, outcome: ContentOutcome, input: HeldInput): void {
    let entry = this.#contentSockets.get(wait);
    let tcp = this.#tcpContexts.get(wait);
    if (entry === undefined) {
      this.#decided.add(wait);
      entry = this.#constructing;
      tcp = this.#constructing?.tcp;
    } else {
      this.sessions.delete(wait);
    }
    if (entry === undefined) return;
    this.#serve(entry.socket, entry.info, input, tcp, outcome);
  }

  contentAbandoned(wait: ContentWait): void {
    this.sessions.delete(wait);
    this.#connectionDropped(this.#contentSockets.get(wait)?.info);
  }

  /** A session (tcp or http) serves the connection from now on, starting with the bytes already read. */
  #serve(socket: Socket, info: ConnectionInfo, input: HeldInput | undefined, tcp: TcpRuleContext | undefined, outcome: ContentOutcome): void {
    // Without a log format (log-format, tcplog, httplog), HAProxy logs each connection as it is accepted.
    if (this.logger.enabled && !this.trafficLog.hasFormat) {
      this.logger.emit(
        LogLevel.info,
        `Connect from ${info.clientAddress}:${info.clientPort} to ${info.localAddress}:${info.localPort} (${this.name}/${this.model.mode === 'http' ? 'HTTP' : 'TCP'})`,
      );
    }
    if (this.trafficLog.pinsFrontAddress) info.pinLocal();
    // HAProxy's implicit upgrade: a tcp frontend whose backend (the one its `use_backend` rules
    // pick, else the default) speaks HTTP serves HTTP (and `tcp-request content switch-mode http`).
    const target = this.model.mode === 'tcp' && tcp?.switchToHttp !== true ? (this.#switchedBackend(info, tcp) ?? this.backend) : this.backend;
    if (this.model.mode === 'http' || target?.mode === 'http' || tcp?.switchToHttp === true) {
      if (outcome !== 'accept') {
        // Refused before the HTTP parsing of the first request: closed, counted as denied
        // (`silent-drop`: with a reset where the runtime can).
        this.counters.dreq++;
        addToListener(info.listenerCounters, 'dreq');
        if (outcome === 'drop') socket.reset();
        else socket.destroy();
        return this.#connectionDropped(info);
      }
      if (this.model.mode === 'tcp') {
        const mux = upgradeMux(info.bindProto, tcp?.switchProto, input);
        if (mux === 'refused') {
          socket.destroy();
          return this.#connectionDropped(info);
        }
        info.http2 = mux === 'h2';
        if (info.http2) {
          info.contentRulesPerStream = true;
          info.sessionVars?.endTcpStream();
        }
      }
      info.acceptRule = tcp?.lastRule;
      // An HTTP/2 connection's streams run those rules again, each from the default priority.
      if (!info.http2) {
        info.acceptPriority = tcp;
        info.acceptCaptures = tcp?.captures;
      }
      // HAProxy's H1 mux turns into its H2 mux on a first request that is HTTP/2's preface,
      // unless the H1 mux was chosen by name (`bind ... proto h1`, `switch-mode http proto h1`)
      // or `option disable-h2-upgrade` is set.
      const mayUpgrade = info.bindProto === undefined && tcp?.switchProto !== 'h1' && this.model.options.disableH2Upgrade !== true;
      const session = info.http2
        ? new H2ClientConnection(this, socket, target, info, this.h2Options)
        : new H1ClientConnection(this, socket, target, info, mayUpgrade ? this : undefined);
      this.sessions.add(session);
      replay(session, socket, input);
      if (this.#stopping) session.drain(this.#closing);
      return;
    }
    const session = new TcpSession(this, socket, this.backend, info, tcp);
    this.sessions.add(session);
    if (outcome !== 'accept') return session.deny(outcome === 'drop');
    // The bytes already read are the stream's before it starts: a backend's content rules see them.
    replay(session, socket, input);
    session.start();
  }

  /**
   * The backend a tcp frontend's `use_backend` rules pick for a new connection (layer-4 facts
   * and what `tcp-request content` read), or undefined when none matches or there are none.
   */
  #switchedBackend(info: ConnectionInfo, tcp: TcpRuleContext | undefined): Backend | undefined {
    const switching = httpRulesOf(this.model, 'frontend')?.switching;
    if (switching === undefined || switching.length === 0) return undefined;
    const named = switchingTarget(switching, tcp ?? new TcpRuleContext(info, this.runtime, this.name, this.procVars, this));
    return named === undefined ? undefined : this.#backends.get(named);
  }

  /** Http2Upgrader: an HTTP/1 session whose client sent HTTP/2's preface goes on as an HTTP/2 one. */
  upgradeToHttp2(from: H1ClientConnection, defaultBackend: Backend | undefined, input: Uint8Array): void {
    this.sessions.delete(from);
    const info = from.connection;
    info.http2 = true;
    if (this.model.mode === 'tcp') {
      // As a tcp connection turning HTTP/2 at once: its content rules run per stream.
      info.contentRulesPerStream = true;
      info.sessionVars?.endTcpStream();
    }
    const session = new H2ClientConnection(this, from.client, defaultBackend, info, this.h2Options, true);
    this.sessions.add(session);
    session.onData(from.client, input);
    if (this.#stopping) session.drain(this.#closing);
  }

  proxyHeaderReceived(wait: ProxyHeaderWait, socket: Socket, info: ConnectionInfo, rest: Uint8Array | undefined): void {
    const bind = this.#waitBinds.get(wait);
    this.#waitBinds.delete(wait);
    if (bind?.ssl !== undefined && socket.tls !== undefined) {
      // The TLS handshake ran after the header: what #accept and #startSession judge of it.
      const clientAuth = bind.ssl.clientAuth;
      if (clientAuth !== undefined && clientCertificateRejected(clientAuth, socket.tls)) {
        socket.destroy();
        this.sessions.delete(wait);
        if (info.listenerCounters !== undefined) info.listenerCounters.scur--;
        info.release(this.runtime.now());
        this.limits.closed(this.limitSlot, info.sslOpen);
        this.sessionEnded(wait);
        return;
      }
      info.http2 = servesHttp2(bind, socket);
      if (socket.tls.sessionReused !== true) this.limits.sslKeyCreated(true);
    }
    this.sessions.delete(wait);
    this.#openSession(socket, info, rest, this.#tcpContexts.get(wait));
  }

  /**
   * session_kill_embryonic: the connection is gone; it was counted as a connection, never as a
   * session. Logged as HAProxy does when the frontend logs (`dontlognull` hides empty ones).
   */
  proxyHeaderFailed(wait: ProxyHeaderWait, info: ConnectionInfo, error: EmbryonicErrorText): void {
    this.counters.failedHandshakes++;
    if (this.logger.enabled && !(this.model.options.dontlognull && isEmptyConnection(error))) {
      const level = this.model.options.logSeparateErrors ? LogLevel.err : LogLevel.info;
      this.logger.emit(level, `${info.clientAddress}:${info.clientPort} [${formatAcceptDate(this.runtime.wallClock())}] ${this.name}/${wait.listenerName}: ${error}`);
    }
    if (info.listenerCounters !== undefined) info.listenerCounters.scur--;
    info.release(this.runtime.now());
    this.limits.closed(this.limitSlot, info.sslOpen);
    this.sessionEnded(wait);
  }

  readonly #sessionLookedUp = (found: boolean): void => this.limits.sslCacheLookedUp(found);

  /** A TLS handshake the runtime failed: the client never became a connection here. */
  #handshakeFailed(failure: TlsHandshakeFailure, bind: BindModel): void {
    // A deferred handshake's connection was counted when its session started.
    if (!startsWithHeader(bind) && !this.#expectsProxy && !this.holdsTlsHandshakes) {
      this.limits.sslConnectionAccepted();
      this.limits.sslConnectionRefused();
    }
    const info = new ConnectionInfo({ ...failure, tls: undefined });
    info.error = handshakeFailureError(failure);
    this.#connectionFailed(info, handshakeFailureTls(failure), bind);
  }

  /** session_kill_embryonic for a failed handshake: counted and logged, nothing else. */
  #connectionFailed(info: ConnectionInfo, tls: TlsInfo | undefined, bind: BindModel): void {
    this.counters.failedHandshakes++;
    const now = this.runtime.now();
    const listenerName = bind.name ?? String(this.model.binds.indexOf(bind) + 1);
    logConnectionFailure(this, info, tls === undefined ? undefined : failedTlsInfo(tls), listenerName, this.runtime.wallClock(), now);
  }

  backendNamed(name: string): Backend | undefined {
    return this.#backends.get(name);
  }

  /** The generation's frontends (the Proxy links them once they all exist). */
  linkPeers(frontends: readonly Frontend[]): void {
    this.#peers = frontends;
  }

  frontendNamed(name: string): Frontend | undefined {
    if (name === this.name) return this;
    for (const f of this.#peers) if (f.name === name) return f;
    return undefined;
  }

  /** Soft stop began (the `stopping` fetch): announced (global `grace`), or the listeners are closing or closed. */
  get stopping(): boolean {
    return this.#stopping || this.#stopAnnounced;
  }

  /** HAProxy's `stopping` during a `grace` period: set before the listeners close, which changes nothing else. */
  announceStopping(): void {
    this.#stopAnnounced = true;
  }

  sessionEnded(session: ProxySession): void {
    this.sessions.delete(session);
    // listener_release's dequeue: a connection that ends lifts a pause after a refusal.
    this.#endPause();
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
    this.#paused = false;
    if (this.#rateTimer !== undefined) {
      this.runtime.clearTimer(this.#rateTimer);
      this.#rateTimer = undefined;
    }
    this.#endPause();
    const listeners = this.listeners.splice(0);
    this.#bindListeners = [];
    await Promise.all(listeners.map((l) => l.close()));
    for (const held of this.#held.splice(0)) held.socket.destroy();
    this.counters.waiting = 0;
  }

  /** Resolves when no session is left. */
  whenIdle(): Promise<void> {
    if (this.sessions.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Soft stop: sessions end as `closing` says (also those the listeners hand over late). */
  drainSessions(closing: SoftStopClosing): void {
    this.#closing = closing;
    for (const session of [...this.sessions]) session.drain(closing);
  }

  killSessions(): void {
    for (const session of [...this.sessions]) session.kill();
  }
}

function isEmptyConnection(error: EmbryonicErrorText): boolean {
  return error === ProxyHeaderError.empty || error === ProxyHeaderError.abort || error === NetscalerCipError.empty || error === NetscalerCipError.abort;
}


/** Hands the bytes read while waiting to the session, as if they arrived now. */
function replay(session: SocketHandler, socket: Socket, input: HeldInput | undefined): void {
  if (input === undefined) return;
  for (const chunk of input.chunks) session.onData(socket, chunk);
  if (input.ended) session.onEnd(socket);
}
