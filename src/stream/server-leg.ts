import { connectViaSocks4 } from '../proxy/socks4-connect.ts';
import { sourceBinding } from '../proxy/connect-source.ts';
import { SslCountedSocket } from './ssl-counted-socket.ts';
import { Observed } from '../health/observe.ts';
import type { Backend, BackendClient } from '../proxy/backend.ts';
import type { QueuePositions, Server } from '../proxy/server.ts';
import type { Runtime, Socket, SocketError, SocketHandler } from '../runtime.ts';
import type { TerminationCause, TerminationPhase } from '../l4/termination.ts';
import { serverTlsOptions } from './server-tls.ts';
import type { ProcessLimits } from '../proxy/process-limits.ts';
import { serverDestination } from './connection-key.ts';
import { serverProxyHeader, type ProxyHeaderStream } from './server-proxy-header.ts';
import { connectedStatus, failedStatus, type ServerConnectionStatus } from '../proxy/connection-error.ts';
import { withoutAddress } from '../dns/resolution-maint.ts';
import { applyTcpKeepAlive } from '../proxy/tcp-keepalive.ts';
import { withLingerPolicy } from '../proxy/no-linger-socket.ts';

/** Where the server side of a session is: HAProxy's SI states from SI_ST_INI to SI_ST_EST. */
export type ServerLegStep = 'none' | 'queued' | 'turnaround' | 'connecting' | 'connected' | 'redirected';

/** HAProxy waits min(1s, timeout connect) before retrying a server that refused us. */
const TURNAROUND_MS = 1000;

/** What the session that owns a server leg hears from it. */
export interface ServerLegOwner extends BackendClient, SocketHandler, ProxyHeaderStream {
  /**
   * A connection to `leg.server` is ready: freshly connected (and TLS-handshaken where the
   * server has `ssl`), or an idle one the owner handed back from `idleConnection`. From now on
   * the socket's handler is the owner and the socket is the owner's to close.
   */
  serverConnected(socket: Socket, reused: boolean): void;
  /**
   * No server could be had or reached (none usable, queue timeout, connect failures past the
   * retries): the owner answers or aborts with this termination. The leg still holds the
   * server slot, if any, for the log; `finish()` releases it.
   */
  serverUnreachable(cause: TerminationCause, phase: TerminationPhase): void;
  /**
   * The connection could not even be prepared (connect_server's SF_ERR_INTERNAL: `maxsslconn`
   * TLS connections are open): no retry, HAProxy's 500 and termination state `IC`.
   */
  serverInternalError(): void;
  /**
   * The assigned server has `redir`: the owner answers with its redirect and ends the
   * transaction (true), or the request goes to the server after all (false: not a GET or HEAD,
   * no path to redirect).
   */
  serverRedirect?(server: Server): boolean;
  /** A leg deadline appeared or moved (queued, turn-around, connecting): re-arm the timer. */
  legScheduled(): void;
  /** An idle connection to `server` the owner may reuse (HTTP keep-alive), already its own. */
  idleConnection?(server: Server): Socket | undefined;
  /**
   * The first server, in the order the session attached them, of a server connection the
   * client session holds (HAProxy's sess->srv_list) that `accepts` (`option prefer-last-server`).
   */
  sessionServer?(accepts: (server: Server) => boolean): Server | undefined;
  /**
   * The stream's destination, as `set-dst` / `set-dst-port` may have changed it: where an
   * `option transparent` backend connects (HAProxy's alloc_dst_address). Without it, the
   * connection's own front address.
   */
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  /** The process's counts: a handshake with a server that made a new key is counted there. */
  readonly host: { readonly limits: ProcessLimits };
}

/**
 * The server side of one session, from choosing a server to an established connection — the
 * same code for `mode tcp` and `mode http`: persistence target or balancer pick, server and
 * backend queues, connect (TLS, SNI and ALPN from the server's `ssl` settings: the only way
 * the engine dials a server, so no mode can forget them), `timeout connect`, `retries` with
 * HAProxy's turn-around delay, `option redispatch` on the last retry, and the counters and
 * passive health events of each attempt. HAProxy's back_handle_st_con/back_handle_st_cer.
 *
 * While connecting, the leg is the socket's handler; once connected it hands the socket over.
 */
export class ServerLeg implements SocketHandler {
  readonly #runtime: Runtime;
  readonly #owner: ServerLegOwner;
  #backend: Backend | undefined;
  #connRetries = true;
  #attempt: Socket | undefined;
  /** Bumped by finish(): a callback that ended the owner (a kill) leaves nothing to resume. */
  #epoch = 0;

  step: ServerLegStep = 'none';
  /** The server whose slot the leg holds (queued: the one it waits for, if any). */
  server: Server | undefined;
  /** The server a cookie or stick table offered for the current choice (HAProxy's SF_DIRECT). */
  persistTo: Server | undefined;
  /** Name of the last server tried, kept for the log after its slot is released. */
  lastServerName: string | undefined;
  retries = 0;
  redispatched = false;
  queuedAt = -1;
  waitTime = -1;
  connectStartedAt = -1;
  connectTime = -1;
  /** When a server was last assigned (HAProxy's t_queue: at once, or on leaving the queue); -1 before. */
  assignedAt = -1;
  /** When the connection the request uses was established (reused: when it was taken); -1 before. */
  connectedAt = -1;
  /** %sq / %bq, counted by the backend as the owner leaves its queues (the owner exposes this object). */
  readonly queuePositions: QueuePositions = { server: 0, backend: 0 };
  /** How the last connection attempt went (`bc_err`, `ssl_bc_err`); undefined before any. */
  connectionStatus: ServerConnectionStatus | undefined = undefined;
  /** The attempt in progress sends SNI (a name mismatch is then CO_ER_SSL_MISMATCH_SNI). */
  #sentSni = false;
  #retryAt = 0;

  constructor(runtime: Runtime, owner: ServerLegOwner) {
    this.#runtime = runtime;
    this.#owner = owner;
  }

  /**
   * Asks `backend` for a server (the persistence target first) and connects to it, or queues.
   * `connectionRetries` false stops after the first failed connect (`retry-on` without
   * `conn-failure`).
   */
  begin(backend: Backend, persistTo: Server | undefined, connectionRetries = true, force = false): void {
    this.#backend = backend;
    this.#connRetries = connectionRetries;
    this.#assign(undefined, persistTo, force);
  }

  /** A queued request got a slot on `server` (QueueWaiter.granted, forwarded by the owner). */
  granted(server: Server): void {
    if (this.step !== 'queued' || this.#backend === undefined) {
      // Cannot happen (a leg leaves the queue when it finishes), but never leak a slot.
      this.#backend?.release(server, this.#owner);
      return;
    }
    this.#use(server);
  }

  /**
   * Tries again after a failed exchange the owner may replay (`retry-on`): counts the retry,
   * redispatches on the last one with `option redispatch`, else waits the turn-around delay
   * (none after a timeout) and reconnects to the same server. The owner has already dropped
   * the failed connection.
   */
  retry(timedOut: boolean): void {
    const backend = this.#backend as Backend;
    const server = this.server as Server;
    this.retries++;
    backend.counters.wretr++;
    server.counters.wretr++;
    if (backend.redispatch && this.retries === backend.retries && backend.servers.length > 1) {
      backend.counters.wredis++;
      server.counters.wredis++;
      this.redispatched = true;
      backend.release(server, this.#owner);
      this.server = undefined;
      this.step = 'none';
      return this.#assign(server, undefined);
    }
    const delay = timedOut ? 0 : Math.min(TURNAROUND_MS, backend.timeouts.connect ?? TURNAROUND_MS);
    this.step = 'turnaround';
    this.#retryAt = this.#runtime.now() + delay;
    this.#owner.legScheduled();
  }

  /** Dials the same server again without counting a retry (a reused idle connection was closed under us). */
  reconnect(): void {
    this.#connect(this.server as Server);
  }

  /** The leg holds a slot on `server` (which finish() releases). */
  get holdsSlot(): boolean {
    return this.server !== undefined && this.step !== 'none' && this.step !== 'queued';
  }

  /** The earliest moment the leg itself must act, if it is waiting for something. */
  deadline(): number | undefined {
    const backend = this.#backend;
    if (backend === undefined) return undefined;
    switch (this.step) {
      case 'queued': {
        const q = backend.queueTimeout;
        return q === undefined ? undefined : this.queuedAt + q;
      }
      case 'turnaround':
        return this.#retryAt;
      case 'connecting': {
        const c = backend.timeouts.connect;
        return c === undefined ? undefined : this.connectStartedAt + c;
      }
      default:
        return undefined;
    }
  }

  /** Acts on a passed deadline (the owner's timer fired); returns false when nothing was due. */
  expire(now: number): boolean {
    const due = this.deadline();
    if (due === undefined || now < due) return false;
    switch (this.step) {
      case 'queued':
        (this.#backend as Backend).leaveQueue(this.#owner);
        this.step = 'none';
        this.assignedAt = now;
        this.#owner.serverUnreachable('s', 'Q');
        return true;
      case 'turnaround':
        this.#connect(this.server as Server);
        return true;
      case 'connecting': {
        const attempt = this.#attempt;
        this.#attempt = undefined;
        attempt?.destroy();
        this.#connectFailed(true);
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * The transaction is over (or the session ends): leaves the queue, releases the server slot,
   * aborts a connect in progress (with a reset: nobody will use it) and forgets the attempt's
   * facts. The connection handed to the owner is the owner's to close or keep.
   */
  finish(): void {
    this.#epoch++;
    const backend = this.#backend;
    if (backend !== undefined) {
      if (this.step === 'queued') backend.leaveQueue(this.#owner);
      else if (this.server !== undefined && this.step !== 'none') backend.release(this.server, this.#owner);
    }
    const attempt = this.#attempt;
    this.#attempt = undefined;
    attempt?.reset();
    this.step = 'none';
    this.server = undefined;
    this.persistTo = undefined;
    this.lastServerName = undefined;
    this.retries = 0;
    this.redispatched = false;
    this.queuedAt = -1;
    this.waitTime = -1;
    this.connectStartedAt = -1;
    this.connectTime = -1;
    this.assignedAt = -1;
    this.connectedAt = -1;
    this.queuePositions.server = 0;
    this.queuePositions.backend = 0;
  }

  // ---- choosing a server -------------------------------------------------------------

  #assign(avoid: Server | undefined, persistTo: Server | undefined, force = false): void {
    const backend = this.#backend as Backend;
    this.persistTo = persistTo;
    const accepts = backend.acceptsLastServer;
    const last = accepts !== undefined && avoid === undefined && persistTo === undefined ? this.#owner.sessionServer?.(accepts) : undefined;
    const result = backend.take(this.#owner, avoid, persistTo, force, last);
    if (result === 'unavailable') return this.#owner.serverUnreachable('S', 'C');
    if (result === 'queued') {
      this.step = 'queued';
      this.queuedAt = this.#runtime.now();
      this.#owner.legScheduled();
      return;
    }
    this.#use(result);
  }

  #use(server: Server): void {
    const now = this.#runtime.now();
    if (this.queuedAt >= 0 && this.waitTime < 0) this.waitTime = Math.round(now - this.queuedAt);
    this.assignedAt = now;
    this.server = server;
    this.lastServerName = server.name;
    // HAProxy redirects in the assigned state, before any connection is made or reused.
    if (server.redirectPrefix !== undefined) {
      const step = this.step;
      this.step = 'redirected';
      if (this.#owner.serverRedirect?.(server) === true) return;
      this.step = step;
    }
    const idle = this.#owner.idleConnection?.(server);
    if (idle !== undefined) {
      server.counters.reuse++;
      (this.#backend as Backend).counters.reuse++;
      this.step = 'connected';
      this.connectTime = 0;
      this.connectedAt = now;
      server.observer?.observe(Observed.l4Ok);
      this.connectionStatus = connectedStatus(server.ssl !== undefined);
      this.#owner.serverConnected(idle, true);
      return;
    }
    this.#connect(server);
  }

  // ---- connecting ----------------------------------------------------------------------

  #connect(server: Server): void {
    const tls = serverTlsOptions(server, this.#owner);
    this.step = 'connecting';
    this.connectStartedAt = this.#runtime.now();
    // ssl_sock_init refuses a TLS connection past `maxsslconn` before it is dialled (the step
    // is set so that finish() releases the server's slot).
    if (tls !== undefined && this.#owner.host.limits.sslConnectionsFull) return this.#sslConnectionsFull(server);
    // HAProxy's connect_server counts each new connection it dials (retries too).
    server.counters.connect++;
    (this.#backend as Backend).counters.connect++;
    this.#sentSni = tls?.servername !== undefined;
    if (withoutAddress(server)) return this.#noAddress();
    const { host, port, path } = serverDestination(server, this.#owner);
    const header = serverProxyHeader(server, this.#owner);
    // `send-proxy*`: the header goes first on every new connection (queued until connected),
    // in clear before the TLS handshake on an `ssl` server.
    const preface = tls !== undefined && header !== undefined ? { tls: { ...tls, preface: header } } : tls ? { tls } : {};
    const options = { host, port, path, noDelay: true, ...preface, ...sourceBinding(server.connectSource, path !== undefined) };
    // `socks4`: through the SOCKS4 proxy (never with TLS: refused when the configuration is read).
    if (server.socks4 !== undefined) this.#attempt = connectViaSocks4(this.#runtime, server.socks4, options, this);
    else if (tls !== undefined) this.#attempt = new SslCountedSocket(this.#runtime.connect(options, this), this, this.#owner.host.limits);
    else this.#attempt = this.#runtime.connect(options, this);
    if (header !== undefined && tls === undefined) this.#attempt.write(header);
    this.#owner.legScheduled();
  }

  onConnect(connected: Socket): void {
    if (connected !== this.#attempt || this.step !== 'connecting') return;
    const serverSocket = this.#backend?.model.serverSocket;
    const socket = withLingerPolicy(connected, serverSocket?.noLinger);
    this.#attempt = undefined;
    const server = this.server as Server;
    this.step = 'connected';
    this.connectedAt = this.#runtime.now();
    this.connectTime = Math.round(this.connectedAt - this.connectStartedAt);
    server.observer?.observe(Observed.l4Ok);
    this.connectionStatus = connectedStatus(server.ssl !== undefined);
    if (socket.tls !== undefined && socket.tls.sessionReused !== true) this.#owner.host.limits.sslKeyCreated(false);
    applyTcpKeepAlive(socket, serverSocket);
    socket.setHandler(this.#owner);
    this.#owner.serverConnected(socket, false);
  }

  /** Nothing is sent before the owner has the socket; a server speaking first waits for it. */
  onData(): void {}
  onEnd(): void {}
  onDrain(): void {}

  onClose(socket: Socket, error: SocketError | undefined): void {
    if (socket !== this.#attempt) return;
    this.#attempt = undefined;
    this.connectionStatus = failedStatus(this.server?.ssl !== undefined, error, this.#sentSni);
    if (this.step === 'connecting') this.#connectFailed(false);
  }

  /**
   * A server without address (made ready by `set server addr` while it had none): HAProxy cannot
   * open a socket of no family, a connection error retried as any ("SC" once they are spent).
   * Told once this call is over, as a socket's error would be.
   */
  #noAddress(): void {
    const epoch = this.#epoch;
    void Promise.resolve().then(() => {
      if (epoch !== this.#epoch || this.step !== 'connecting' || this.#attempt !== undefined) return;
      this.connectionStatus = failedStatus(false, undefined, false);
      this.#connectFailed(false);
    });
  }

  /** back_handle_st_req on SF_ERR_INTERNAL: a failed connection (econ), not retried. */
  #sslConnectionsFull(server: Server): void {
    (this.#backend as Backend).counters.econ++;
    server.counters.econ++;
    this.#owner.serverInternalError();
  }

  /**
   * back_handle_st_cer: a failed attempt is retried while retries are left; the connection
   * counts as failed (econ, on the backend and the server tried last) once they are spent.
   */
  #connectFailed(timedOut: boolean): void {
    const backend = this.#backend as Backend;
    const server = this.server as Server;
    const epoch = this.#epoch;
    server.observer?.observe(Observed.l4Error);
    // That may have marked the server DOWN and, with on-marked-down shutdown-sessions, ended us.
    if (epoch !== this.#epoch) return;
    if (this.retries >= backend.retries || !this.#connRetries) {
      backend.counters.econ++;
      server.counters.econ++;
      return this.#owner.serverUnreachable(timedOut ? 's' : 'S', 'C');
    }
    this.retry(timedOut);
  }
}
