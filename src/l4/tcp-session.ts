import type { Timeouts } from '../config/model.ts';
import { streamCapturesFor, type StreamCaptures } from '../stream/captures.ts';
import type { Backend } from '../proxy/backend.ts';
import { countAbort, sessionOpened } from '../proxy/counters.ts';
import { clientSessionEnded, type ProxySession, type SessionHost, type SessionView } from '../proxy/session.ts';
import type { LogRecord, StreamContext } from '../log/log-record.ts';
import type { UniqueId } from '../log/unique-id.ts';
import type { QueuePositions, Server } from '../proxy/server.ts';
import type { ProcessVars } from '../rules/vars.ts';
import type { Runtime, Socket, SocketError, TimerHandle, TlsInfo } from '../runtime.ts';
import { ServerLeg, type ServerLegOwner } from '../stream/server-leg.ts';
import { chooseServer } from '../stream/server-choice.ts';
import { httpRulesOf, switchingTarget } from '../rules/http-rules.ts';
import { earliest } from '../util/idle-deadline.ts';
import { ConnectionInfo } from '../proxy/connection-info.ts';
import { TcpRuleContext } from '../rules/tcp/tcp-rule-context.ts';
import { tcpRulesOf } from '../rules/tcp/tcp-rules.ts';
import { closeDraining } from './draining-close.ts';
import { ResponseInspection, type ResponseDecision } from './response-inspection.ts';
import { Payload } from '../rules/payload.ts';
import { ContentInspection, type ContentDecision } from '../rules/tcp/content-inspection.ts';
import { StreamNameResolver } from '../dns/stream-resolution.ts';
import { backendContentRules, type HttpBackendTcpRules } from '../stream/http-tcp-rules.ts';
import type { SessionVars } from '../rules/vars.ts';
import type { TerminationCause, TerminationPhase } from './termination.ts';
import { countStreamTimes } from '../proxy/time-stats.ts';
import { addToListener } from '../proxy/listener-stats.ts';


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
export class TcpSession implements ServerLegOwner, ProxySession, StreamContext {
  readonly client: Socket;
  readonly host: SessionHost;
  /** The default backend, until `use_backend` picks another at start(). */
  backend: Backend | undefined;
  readonly runtime: Runtime;
  /** The connection's addresses and TLS facts, captured at accept (shared with the frontend). */
  readonly connection: ConnectionInfo;
  get clientAddress(): string {
    return this.connection.clientAddress;
  }
  get clientPort(): number {
    return this.connection.clientPort;
  }
  /** No request head in tcp mode (LbRequest: L7 hash keys fall back to round-robin). */
  readonly lbHead = undefined;
  /** SampleContext for `balance hash` and `stick` expressions: `dst`, `dst_port`, `ssl_fc*`, `hostname`. */
  get localAddress(): string {
    return this.connection.localAddress;
  }
  get localPort(): number {
    return this.connection.localPort;
  }
  get clientTls(): TlsInfo | undefined {
    return this.connection.tls;
  }
  get hostname(): string | undefined {
    return this.runtime.hostname;
  }
  /** `var()`: the session's variables when tcp rules run on it, else only the generation's `proc` ones. */
  get vars(): SessionVars | ProcessVars {
    return this.#tcp?.vars ?? this.host.procVars;
  }
  /** The client's first bytes, as `tcp-request content` rules inspected them (`req.payload`, `req.ssl_sni` in `use_backend`). */
  get requestPayload(): Payload | undefined {
    return this.#tcp?.requestPayload;
  }
  /** StreamContext (unique ids, log lines): one stream per tcp connection. */
  readonly streamId: number;
  get frontendName(): string {
    return this.host.name;
  }
  get pid(): number {
    return this.runtime.pid;
  }
  get acceptWall(): number {
    return this.acceptedWall;
  }
  /** `unique-id`: generated on first use from the frontend's `unique-id-format`. */
  get uniqueId(): string | undefined {
    return this.#uniqueId?.value;
  }
  get uniqueIdIfGenerated(): string | undefined {
    return this.#uniqueId?.generated;
  }
  /** Where the backend counts this session's queue positions (%sq, %bq). */
  get queuePositions(): QueuePositions {
    return this.#leg.queuePositions;
  }
  /** The stream's place in the queues, as its `tcp-request content` rules set it. */
  get priorityClass(): number {
    return this.#tcp?.priorityClass ?? 0;
  }
  get priorityOffset(): number {
    return this.#tcp?.priorityOffset ?? 0;
  }

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
  /** Leg facts kept for the log: server assigned / connected (-1 = never), queue positions. */
  #assignedAt = -1;
  #connectedAt = -1;
  #serverQueuePos = 0;
  #backendQueuePos = 0;
  /** The server connection's addresses, read once connected (%si %sp %bi %bp). */
  #serverAddress: string | undefined;
  #serverPort: number | undefined;
  #sourceAddress: string | undefined;
  #sourcePort: number | undefined;
  readonly #uniqueId: UniqueId | undefined;
  #logged = false;

  #pending: Uint8Array[] | undefined = [];
  #pendingBytes = 0;
  /**
   * Last activity that keeps each side's timeout away: its reads, and (unless that side has
   * independent streams) the bytes relayed toward it and its write progress.
   */
  #clientLast: number;
  #serverLast = 0;
  /**
   * `option independent-streams` (HAProxy's SC_FL_INDEP_STR): the frontend's for the client
   * side, the backend's for the server side. Bytes sent to such a side then do not refresh its
   * read timeout; its write timeout runs alone, from the last write progress, while writes to
   * it are blocked.
   */
  readonly #clientIndependent: boolean;
  #serverIndependent = false;
  #clientWritten = 0;
  #serverWritten = 0;
  #clientEnded = false;
  #serverEnded = false;
  #clientClosed = false;
  #serverClosed = true;
  /** Reading from X was paused because the other side's write queue is full. */
  #clientHeld = false;
  #serverHeld = false;
  #timer: TimerHandle | undefined;
  #timerDue = Infinity;
  /** The client deadline a timer found passed once, confirmed one loop turn later (#onTimer). */
  #clientDeadlinePassed: number | undefined;
  #countedInBackend = false;

  /** The connection's tcp rule context (variables, inspected payload), when the frontend has tcp rules. */
  #tcp: TcpRuleContext | undefined;
  /** The backend's `tcp-request content` rules deciding, before the server leg starts. */
  #inspection: ContentInspection | undefined;
  /** The client's timeout (c) or its abort (C) while they did: the rules' last word decides, PR or cR/CR. */
  #clientFailed: 'c' | 'C' | undefined = undefined;
  /** `tcp-response content` rules deciding on the server's first bytes (held meanwhile). */
  #responseInspection: ResponseInspection | undefined;
  /** The frontend's capture slots (%hr, `capture.req.hdr`): what its content rules captured. */
  readonly #captures: StreamCaptures | undefined;

  constructor(
    host: SessionHost,
    client: Socket,
    backend: Backend | undefined,
    connection: ConnectionInfo = new ConnectionInfo(client),
    tcp: TcpRuleContext | undefined = undefined,
  ) {
    this.#tcp = tcp;
    // The frontend's rules ran before this stream started; its backend's and the response's run for it.
    if (tcp !== undefined) tcp.stream = this;
    this.#captures = tcp?.captures ?? streamCapturesFor(host.model);
    this.host = host;
    this.runtime = host.runtime;
    this.client = client;
    this.connection = connection;
    this.backend = backend;
    this.acceptedAt = this.runtime.now();
    this.acceptedWall = this.runtime.wallClock();
    this.#clientLast = this.acceptedAt;
    this.#clientIndependent = host.model.options.independentStreams === true;
    this.#leg = new ServerLeg(this.runtime, this);
    this.streamId = host.limits.nextStreamId();
    const log = host.trafficLog;
    if (log.pinsFrontAddress) connection.pinLocal();
    this.#uniqueId = log.uniqueIdFor(this);
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
    if (backend === undefined) return this.#closeWithoutBackend();
    backend.sessionEntered();
    this.#countedInBackend = true;
    // The backend's `tcp-request content` rules (HAProxy's AN_REQ_INSPECT_BE), before any
    // server is chosen; none for the other half of a listen, whose rules ran as the frontend's.
    const contentRules = backendContentRules(this.host.model, backend.model);
    if (contentRules !== undefined) return this.#inspect(backend, contentRules);
    this.#connect(backend);
  }

  /** Server choice (persistence, balance) and the leg: once the content rules let the stream go on. */
  #connect(backend: Backend): void {
    const choice = chooseServer(backend, this, undefined, () => backend.persistence?.stickTarget(this, this.runtime.now()));
    this.#leg.begin(backend, choice.server, true, choice.force);
  }

  /**
   * The backend's content rules wait on the client's bytes so far (those the frontend's rules
   * saw included: the stream's request channel) and on those still to come, under the
   * backend's own `tcp-request inspect-delay`; nothing connects meanwhile.
   */
  #inspect(backend: Backend, rules: HttpBackendTcpRules): void {
    const tcp = (this.#tcp ??= this.#ruleContext());
    // HAProxy's backend rules capture into the stream's slots, which are its frontend's.
    tcp.captures ??= this.#captures;
    tcp.backend = backend;
    const payload = new Payload(this.host.limits.buffers);
    tcp.requestPayload = payload;
    const inspection = new ContentInspection(this.runtime, rules, tcpRulesOf(backend.model, 'backend')?.inspectDelay, tcp, payload, this.#contentDecided);
    this.#inspection = inspection;
    const resolvers = this.host.resolvers;
    // `do-resolve`: a name resolved while the rules wait runs them again, from that rule.
    if (resolvers !== undefined) tcp.names = new StreamNameResolver(resolvers, this.runtime, () => inspection.evaluate());
    for (const chunk of this.#pending ?? []) inspection.append(chunk);
    if (this.#clientEnded) inspection.end();
    inspection.evaluate();
    if (this.#inspection !== undefined) this.#schedule();
  }

  /**
   * HAProxy shuts the client's read side on its timeout or error, and the content rules decide
   * once more on what came: a reject stands (PR); otherwise the stream ends there (cR, CR).
   */
  #clientFailedDuringInspection(cause: 'c' | 'C'): void {
    const inspection = this.#inspection as ContentInspection;
    this.#clientFailed = cause;
    inspection.end();
    inspection.evaluate();
  }

  readonly #contentDecided = (decision: ContentDecision): void => {
    this.#inspection = undefined;
    this.#tcp?.names?.release();
    if (decision === 'reject' || decision === 'drop') return this.deny(decision === 'drop');
    if (this.#clientFailed !== undefined) return this.#abort(this.#clientFailed, 'R');
    this.#connect(this.backend as Backend);
  };

  /**
   * `tcp-request content reject`: the stream ends at once, logged as refused by the proxy (PR);
   * `silent-drop` (`abortive`) likewise, the client reset where the runtime can.
   */
  deny(abortive = false): void {
    this.host.counters.dreq++;
    addToListener(this.connection.listenerCounters, 'dreq');
    this.#abort('P', 'R', abortive);
  }

  /** A tcp session has no transaction boundary to stop at: it runs until either side closes. */
  drain(): void {}

  /** Ends the session now (soft-stop grace expired, admin kill). */
  describe(): SessionView {
    const c = this.connection;
    return { clientAddress: c.clientAddress, clientPort: c.clientPort, acceptedAt: this.acceptedAt, backend: this.backend?.name, server: this.#leg.server?.name ?? this.lastServerName };
  }

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

  serverInternalError(): void {
    this.#abort('I', 'C');
  }

  serverConnected(socket: Socket): void {
    const now = this.runtime.now();
    this.server = socket;
    this.phase = 'established';
    this.#serverClosed = false;
    this.#serverEnded = false;
    if (this.host.trafficLog.pinsServerAddress) {
      this.#serverAddress = socket.remoteAddress;
      this.#serverPort = socket.remotePort;
      this.#sourceAddress = socket.localAddress;
      this.#sourcePort = socket.localPort;
    }
    const responseRules = tcpRulesOf((this.backend as Backend).model, 'backend');
    if (responseRules !== undefined && responseRules.response.length > 0) {
      this.#tcp ??= this.#ruleContext();
      this.#responseInspection = new ResponseInspection(this.runtime, responseRules, this.#tcp, this.host.limits.buffers, (d) => this.#responseDecided(d));
    }
    // Connected: stick rules record the server (HAProxy's AN_RES_STORE_RULES), after the
    // tcp-response content rules when there are some (AN_RES_INSPECT comes first).
    if (this.#responseInspection === undefined) (this.backend as Backend).persistence?.stored(this, this.#leg.server as Server, now, this.#tcp ?? this);
    this.#serverLast = now;
    this.#clientLast = now;
    this.#serverWritten = now;
    this.#clientWritten = now;
    this.#serverIndependent = (this.backend as Backend).model.options.independentStreams === true;
    const pending = this.#pending;
    this.#pending = undefined;
    let flowing = true;
    if (pending !== undefined) for (const chunk of pending) flowing = socket.write(chunk);
    this.#pendingBytes = 0;
    if (flowing) this.client.resume();
    else this.#clientHeld = true;
    if (this.#clientEnded) socket.end();
    this.#schedule();
    // `option logasap`, or a format with nothing to wait for: HAProxy logs once connected.
    if (this.host.trafficLog.early) {
      this.#keepLegFacts();
      this.#log(true);
    }
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
    this.#assignedAt = leg.assignedAt;
    this.#connectedAt = leg.connectedAt;
    this.#serverQueuePos = leg.queuePositions.server;
    this.#backendQueuePos = leg.queuePositions.backend;
  }

  // ---- socket events -------------------------------------------------------------------

  onData(socket: Socket, chunk: Uint8Array): void {
    const n = chunk.byteLength;
    if (socket === this.client) {
      this.bytesFromClient += n;
      this.host.counters.bin += n;
      addToListener(this.connection.listenerCounters, 'bin', n);
      this.#clientLast = this.runtime.now();
      const server = this.server;
      if (this.phase === 'established' && server !== undefined) {
        if (this.#serverClosed) return this.#abort('S', 'D');
        const backend = this.backend as Backend;
        backend.counters.bin += n;
        (this.srv as Server).counters.bin += n;
        this.#serverWritten = this.#clientLast;
        if (!this.#serverIndependent) this.#serverLast = this.#clientLast;
        if (!server.write(chunk)) {
          this.#clientHeld = true;
          socket.pause();
        }
      } else if (this.#pending !== undefined) {
        this.#pending.push(chunk);
        this.#pendingBytes += n;
        if (this.#pendingBytes >= PENDING_LIMIT) socket.pause();
        const inspection = this.#inspection;
        if (inspection !== undefined) {
          inspection.append(chunk);
          inspection.evaluate();
        }
      }
    } else if (socket === this.server) {
      this.bytesFromServer += n;
      this.host.counters.bout += n;
      addToListener(this.connection.listenerCounters, 'bout', n);
      (this.backend as Backend).counters.bout += n;
      (this.srv as Server).counters.bout += n;
      this.#serverLast = this.runtime.now();
      this.#clientWritten = this.#serverLast;
      if (!this.#clientIndependent) this.#clientLast = this.#serverLast;
      if (this.#responseInspection !== undefined) return this.#responseInspection.offer(chunk, false);
      if (!this.client.write(chunk)) {
        this.#serverHeld = true;
        socket.pause();
      }
    }
  }

  onDrain(socket: Socket): void {
    if (socket === this.client) {
      this.#clientWritten = this.runtime.now();
      if (!this.#clientIndependent) this.#clientLast = this.#clientWritten;
      if (this.#serverHeld) {
        this.#serverHeld = false;
        this.server?.resume();
      }
    } else if (socket === this.server) {
      this.#serverWritten = this.runtime.now();
      if (!this.#serverIndependent) this.#serverLast = this.#serverWritten;
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
      const inspection = this.#inspection;
      if (inspection !== undefined) {
        inspection.end();
        inspection.evaluate();
      }
    } else if (socket === this.server) {
      this.#serverEnded = true;
      if (this.#responseInspection !== undefined) return this.#responseInspection.offer(undefined, true);
      this.client.end();
    }
  }

  /** `tcp-response content`: the held response goes on (accept, close) or the stream ends (reject, PD). */
  #responseDecided(decision: ResponseDecision): void {
    const inspection = this.#responseInspection as ResponseInspection;
    this.#responseInspection = undefined;
    if (decision === 'reject') {
      this.host.counters.dresp++;
      addToListener(this.connection.listenerCounters, 'dresp');
      (this.backend as Backend).counters.dresp++;
      return this.#abort('P', 'D');
    }
    if (decision === 'drop') {
      // HAProxy's silent-drop: a denied request (even on the response), logged PR, the client reset.
      this.host.counters.dreq++;
      addToListener(this.connection.listenerCounters, 'dreq');
      return this.#abort('P', 'R', true);
    }
    // `stick store-response` reads the inspected response bytes (res.payload_lv...) in the rules' context.
    (this.backend as Backend).persistence?.stored(this, this.#leg.server as Server, this.runtime.now(), this.#tcp);
    let flowing = true;
    for (const chunk of inspection.chunks) flowing = this.client.write(chunk);
    if (!flowing) {
      this.#serverHeld = true;
      this.server?.pause();
    }
    if (decision === 'close') {
      // HAProxy kills the server connection (no linger); what was received still reaches the client.
      this.#serverEnded = true;
      this.server?.reset();
      this.client.end();
    } else if (this.#serverEnded) {
      this.client.end();
    }
  }

  onClose(socket: Socket, error: SocketError | undefined): void {
    if (socket === this.client) {
      this.#clientClosed = true;
      if (this.phase === 'closed') return;
      if (this.#inspection !== undefined) return this.#clientFailedDuringInspection('C');
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
    // The backend's content rules read on while they inspect: the client's read timeout runs.
    if (this.#inspection !== undefined) return t.client === undefined ? undefined : this.#clientLast + t.client;
    // Bytes waiting for a server: HAProxy stops reading the client, which disarms its read
    // timeout (stconn.c sc_update_rx); it runs again from the connection (serverConnected).
    if (this.#pendingBytes > 0) return undefined;
    if (this.phase === 'established' && (this.backend as Backend).timeouts.tunnel !== undefined) {
      const tunnel = (this.backend as Backend).timeouts.tunnel as number;
      // Each side's timeouts are the tunnel's: with independent streams each runs from its own
      // activity (the server side's in #serverDeadline, so that its expiry is logged sD).
      if (!this.#clientIndependent && !this.#serverIndependent) return Math.max(this.#clientLast, this.#serverLast) + tunnel;
      return this.#ownDeadline(this.#clientLast, this.#clientWritten, this.#serverHeld, tunnel);
    }
    const timeout = this.#clientEnded ? (t.clientFin ?? t.client) : t.client;
    if (timeout === undefined) return undefined;
    return this.#clientIndependent ? this.#ownDeadline(this.#clientLast, this.#clientWritten, this.#serverHeld, timeout) : this.#clientLast + timeout;
  }

  /** An independent side's deadline: its read timeout, or its write timeout while writes to it are blocked. */
  #ownDeadline(readAt: number, writtenAt: number, writeBlocked: boolean, timeout: number): number {
    return (writeBlocked ? Math.min(readAt, writtenAt) : readAt) + timeout;
  }

  #serverDeadline(): number | undefined {
    if (this.#serverHeld) return undefined;
    const t = (this.backend as Backend).timeouts;
    if (t.tunnel !== undefined) {
      // Covered by the client-side tunnel deadline, unless streams are independent.
      if (!this.#clientIndependent && !this.#serverIndependent) return undefined;
      return this.#ownDeadline(this.#serverLast, this.#serverWritten, this.#clientHeld, t.tunnel);
    }
    const timeout = this.#serverEnded ? (t.serverFin ?? t.server) : t.server;
    if (timeout === undefined) return undefined;
    return this.#serverIndependent ? this.#ownDeadline(this.#serverLast, this.#serverWritten, this.#clientHeld, timeout) : this.#serverLast + timeout;
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.phase === 'closed') return;
    const now = this.runtime.now();
    const clientDeadline = this.#clientDeadline(this.host.timeouts);
    if (clientDeadline !== undefined && now >= clientDeadline) {
      // HAProxy handles the I/O its poller reported before it judges a timeout, but a timer can
      // run before this loop turn's reads: bytes already there must still count, so the
      // deadline is confirmed once more after those reads.
      if (this.#clientDeadlinePassed !== clientDeadline) {
        this.#clientDeadlinePassed = clientDeadline;
        this.#timerDue = now;
        this.#timer = this.runtime.setTimer(() => this.#onTimer(), 0);
        return;
      }
      if (this.#inspection !== undefined) return this.#clientFailedDuringInspection('c');
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

  /** The first cause and phase stand; an end by either side in the data phase is an abort in the stats. */
  #setTermination(cause: TerminationCause, phase: TerminationPhase): void {
    if (this.terminationCause !== '-') return;
    this.terminationCause = cause;
    this.terminationPhase = phase;
    if (phase === 'D' && this.backend !== undefined) countAbort(cause, this.backend.counters, this.#leg.server?.counters);
  }

  /** Ends the session at once, both sockets destroyed (`abortive`: the client reset, as `silent-drop`). */
  #abort(cause: TerminationCause, phase: TerminationPhase, abortive = false): void {
    this.#setTermination(cause, phase);
    const server = this.server;
    this.server = undefined;
    this.#serverClosed = true;
    server?.destroy();
    this.#clientClosed = true;
    if (abortive) this.client.reset();
    else this.client.destroy();
    this.#finish();
  }

  /** No backend to send the client to: closed with a FIN, as HAProxy does (draining-close.ts). */
  #closeWithoutBackend(): void {
    this.#setTermination('P', 'R');
    this.#serverClosed = true;
    this.#clientClosed = true;
    closeDraining(this.runtime, this.client);
    this.#finish();
  }

  #finish(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.closedAt = this.runtime.now();
    this.#pending = undefined;
    this.#inspection?.cancel();
    this.#inspection = undefined;
    this.#tcp?.names?.release();
    this.#responseInspection?.cancel();
    this.#responseInspection = undefined;
    if (this.#timer !== undefined) {
      this.runtime.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    this.#keepLegFacts();
    if (this.#countedInBackend) this.#countTimes(this.backend as Backend);
    this.#leg.finish();
    if (this.#countedInBackend) (this.backend as Backend).sessionLeft();
    // Logged as HAProxy does: the backend and server released, the connection still counted.
    this.#log(false);
    clientSessionEnded(this.host, this, this.connection, this.runtime.now());
  }

  /** The session's durations in its backend's and server's averages (stream_update_time_stats). */
  #countTimes(backend: Backend): void {
    const server = this.#leg.server;
    const at = this.acceptedAt;
    countStreamTimes(false, backend.counters.timeStats, backend.counters.lbtot, server?.counters.timeStats, server?.counters.lbtot ?? 0,
      -1, elapsed(this.#assignedAt, at), elapsed(this.#connectedAt, at), -1, elapsed(this.closedAt, at));
  }

  /** One line per session: `early` once connected (logasap), else at the end. */
  #log(early: boolean): void {
    if (this.#logged) return;
    const log = this.host.trafficLog;
    if (!log.enabled) return;
    this.#logged = true;
    // HAProxy's early line ends when the connection was established (t_close = t_connect).
    log.emit(this.#record(early ? this.#connectedAt : this.closedAt, log.count), this.#tcp?.logLevel);
  }

  /** StreamContext: the stream as it is now, for a rule's end-of-stream variables. */
  liveRecord(): LogRecord {
    return this.#record(this.acceptedAt, this.host.trafficLog.count, true);
  }

  /**
   * The stream's facts as HAProxy's strm_logs (tcp: no request timer, no response timer).
   * `live`: while it runs (see StreamContext.liveRecord): its byte counts are 0 until the end.
   */
  #record(end: number, logCount: number, live = false): LogRecord {
    const host = this.host;
    const server = this.srv?.name ?? (this.connectStartedAt >= 0 ? (this.lastServerName ?? '<NOSRV>') : '<NOSRV>');
    return {
      mode: 'tcp',
      clientAddress: this.clientAddress,
      clientPort: this.clientPort,
      localAddress: this.localAddress,
      localPort: this.localPort,
      clientTls: this.connection.tls,
      connection: this.connection,
      hostname: this.runtime.hostname,
      runtime: this.runtime,
      serverConnection: this.#leg.connectionStatus,
      frontendName: host.name,
      pid: this.runtime.pid,
      lbHead: undefined,
      captures: this.#captures,
      acceptWall: this.acceptedWall,
      streamId: this.streamId,
      uniqueId: this.#uniqueId?.value,
      uniqueIdIfGenerated: this.#uniqueId?.value,
      lastRule: this.#tcp?.lastRule,
      priorityClass: this.priorityClass,
      priorityOffset: this.priorityOffset,
      vars: this.vars,
      backendName: this.backend?.name ?? host.name,
      serverName: server,
      // A live record reads the server connection and the leg now (#keepLegFacts copies them at the end).
      serverAddress: live ? this.server?.remoteAddress : this.#serverAddress,
      serverPort: live ? this.server?.remotePort : this.#serverPort,
      sourceAddress: live ? this.server?.localAddress : this.#sourceAddress,
      sourcePort: live ? this.server?.localPort : this.#sourcePort,
      tHandshake: 0,
      tIdle: -1,
      tRequest: -1,
      tQueue: elapsed(live ? this.#leg.assignedAt : this.#assignedAt, this.acceptedAt),
      tConnect: elapsed(live ? this.#leg.connectedAt : this.#connectedAt, this.acceptedAt),
      tData: -1,
      tClose: elapsed(end, this.acceptedAt),
      status: 0,
      // As HAProxy's logs: counted at the end, or as they go with `option contstats`.
      bytesIn: live && host.model.options.contstats !== true ? 0 : this.bytesFromClient,
      bytesOut: live && host.model.options.contstats !== true ? 0 : this.bytesFromServer,
      termination: `${this.terminationCause}${this.terminationPhase}`,
      cookieFlags: '--',
      actconn: host.limits.current,
      feconn: host.counters.scur,
      beconn: this.backend?.counters.scur ?? 0,
      srvconn: this.srv?.active ?? 0,
      retries: live ? this.#leg.retries : this.retries,
      redispatched: live ? this.#leg.redispatched : this.redispatched,
      serverQueuePos: live ? this.#leg.queuePositions.server : this.#serverQueuePos,
      backendQueuePos: live ? this.#leg.queuePositions.backend : this.#backendQueuePos,
      logCount,
      plusUnfinished: live && !host.trafficLog.logsStreamEnd,
    };
  }

  /** The context of this stream's tcp rules (its facts are the stream's: `%Ts` in a value). */
  #ruleContext(): TcpRuleContext {
    const tcp = new TcpRuleContext(this.connection, this.runtime, this.host.name, this.host.procVars, this.host);
    tcp.stream = this;
    return tcp;
  }
}

/** ms from `from` to `at`, -1 when `at` is -1 (a step not reached), as HAProxy's t_* fields. */
function elapsed(at: number, from: number): number {
  return at < 0 ? -1 : Math.round(at - from);
}
