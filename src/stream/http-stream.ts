import { StreamNameResolver } from '../dns/stream-resolution.ts';
import { MuxedServerSocket } from '../mux/muxed-server-socket.ts';
import type { HttpConnectionMode } from '../config/model.ts';
import { httpStatusEvent, Observed, type ObservedEvent } from '../health/observe.ts';
import type { Backend } from '../proxy/backend.ts';
import { countAbort, countResponse, requestReceived, sessionOpened } from '../proxy/counters.ts';
import type { QueuePositions, Server } from '../proxy/server.ts';
import type { SessionHost } from '../proxy/session.ts';
import type { Runtime, Socket, SocketError, TlsInfo } from '../runtime.ts';
import { ServerLeg, type ServerLegOwner } from './server-leg.ts';
import { directServer, withStickServer, type DirectChoice } from './server-choice.ts';
import { serverRedirectReply } from './server-redirect.ts';
import type { HttpClientSide } from './client-side.ts';
import type { ConnectionInfo } from '../proxy/connection-info.ts';
import type { TerminationCause, TerminationPhase } from '../l4/termination.ts';
import { earliest } from '../util/idle-deadline.ts';
import {
  H_EXPECT,
  H_TRANSFER_ENCODING,
  HeadEditor,
  errorClosesConnection,
  HttpParseError,
  errorResponse,
  type RequestHead,
  type ResponseHead,
} from '../http/codec/index.ts';
import type { LogRecord, StreamContext } from '../log/log-record.ts';
import type { UniqueId } from '../log/unique-id.ts';
import { connectionModeOf, forwardedForValue } from '../http/http-options.ts';
import { originalToHeader } from '../http/original-to.ts';
import { countRewrites } from '../rules/actions/rewrite-counters.ts';
import type { PooledConnection, ReuseScope } from '../http/server-pool.ts';
import { DEFAULT_MAX_SESSION_SRV_CONNS, isPrivate, SessionServerConns } from './session-server-conns.ts';
import { connectionKey } from './connection-key.ts';
import { H1ServerExchange, HeadOutcome, type H1ServerEvents } from '../mux/h1-server.ts';
import { requestCapture, responseCapture, type CaptureCommon, type CapturedWire } from '../mux/h1-error-capture.ts';
import { serverMux } from '../mux/h2-select.ts';
import { H2ServerStream } from '../mux/h2/server-stream.ts';
import { REQUEST_MAX_FIELDS, REQUEST_MAX_HEAD_SIZE, type Http2Origin } from '../mux/h2/request-translator.ts';
import { isAbsoluteForm } from '../http/absolute-form.ts';
import { isHttp2ServerStream, rideConnection, shareServerConnection } from '../mux/h2-server.ts';
import { withServerName } from '../mux/server-name-header.ts';
import { isStreamReset } from '../mux/h2/server-stream.ts';
import { existingSessionMuxConns, sessionMuxConns } from './session-mux-conns.ts';
import { isWebsocketRequest } from '../mux/websocket-protocol.ts';
import { CookieTxn } from '../stick/cookie-persistence.ts';
import { restrictHeaderNames } from './restrict-header-names.ts';
import { applyFcgiApp, type FcgiRequestRules } from './fcgi-request.ts';
import type { FcgiRequestFacts } from '../mux/fcgi-server.ts';
import { rewriteRoom } from './rewrite-room.ts';
import type { ProxyHeaderSource } from '../proxy/proxy-protocol.ts';
import { backendContentRules, frontendContentRules, responseContentRules, runHttpTcpRules, type HttpBackendTcpRules } from './http-tcp-rules.ts';
import { backendRulesFor, hasAfterResponseRules, HttpRuleRunner, httpRulesOf, type BodyWaiter, type ProxyHttpRules } from '../rules/http-rules.ts';
import { Verdict } from '../rules/http-action.ts';
import type { VarScopes } from '../rules/vars.ts';
import type { MessageBody } from '../rules/message-body.ts';
import { Cacheability, responseCacheability, setsCookie } from '../http/cacheability.ts';
import { errorPageReply, LocalReply, ReplyConnection } from '../http/local-reply.ts';
import { frontendAnswersNothing, proxyErrorReply } from '../http/error-replies.ts';
import { appendMadeUpWebsocketKey, hostContradictsTarget, prepareRequestHead } from '../mux/h1-head-out.ts';
import { streamCapturesFor, type StreamCaptures } from './captures.ts';
import { HeldBody } from './held-body.ts';
import type { HttpService, ServiceResponse } from '../services/service.ts';
import { serviceRequest } from '../services/service-request.ts';
import type { StatsPageModel } from '../config/stats-page-model.ts';
import type { BackendModel, FrontendModel } from '../config/model.ts';
import { sameSection } from '../rules/http-rules.ts';
import { startResponseFilters } from './filter-kinds.ts';
import type { ResponseFilterChain } from './response-filter.ts';
import { matchesStatsUri } from '../services/stats/stats-request.ts';
import { statsAccess } from '../services/stats/stats-intercept.ts';
import { monitorOf } from '../http/monitor-uri.ts';
import { StreamCaching } from '../cache/caching.ts';
import { countStreamTimes } from '../proxy/time-stats.ts';
import { addToListener } from '../proxy/listener-stats.ts';

/**
 * Where the request analysers stand (HAProxy's request analyser bits, in their order): a stage
 * that waits for the body (`option http-buffer-request`, `wait-for-body`) is resumed at the
 * same place when more of the body arrives.
 */
const Stage = {
  /** No request, or its analysers finished. */
  idle: 0,
  /** The frontend's `option http-buffer-request`. */
  frontendBody: 1,
  frontendRules: 2,
  /** `use_backend`, then the backend's own `option http-buffer-request`. */
  switching: 3,
  backendBody: 4,
  backendRules: 5,
  /** `use-service`: the service reads the body, which the stream waits for first. */
  service: 6,
  /** `balance url_param` may hash a POST's body: the server is chosen once it is there. */
  balanceBody: 7,
} as const;
type Stage = (typeof Stage)[keyof typeof Stage];

/** Request body bytes held while no server connection can take them, before the client is paused. */
const HOLD_LIMIT = 64 * 1024;
const EMPTY = new Uint8Array(0);
const NO_HEADERS: ReadonlySet<string> = new Set();
const CONTINUE = new TextEncoder().encode('HTTP/1.1 100 Continue\r\n\r\n');

/**
 * One HTTP transaction, from a complete request head to the end of its response (HAProxy's
 * stream with its HTTP analysers): the frontend's `http-request` rules, the backend choice
 * (per request), the backend's rules, persistence and balancing on the request as the rules
 * edited it, the server leg (queue, connect, retries, redispatch: the same code as tcp mode),
 * the response rules (backend then frontend), `http-after-response`, local replies and error
 * pages, and the log line. It is the handler of its server socket; the client side reaches it
 * through the mux that carries it (`HttpClientSide`), which owns the client socket, request
 * parsing, keep-alive and the connection's timer.
 *
 * The HTTP/1 mux keeps one stream per connection and reuses it for each transaction, so a
 * keep-alive request allocates no stream. The server side speaks HTTP/1: bodies go through as
 * they were framed on the wire (the pass-through fast path of two HTTP/1 sides).
 */
export class HttpStream implements ServerLegOwner, StreamContext, H1ServerEvents, BodyWaiter {
  readonly host: SessionHost;
  readonly runtime: Runtime;
  /** The backend of the transaction in flight (chosen per request: `use_backend`, else the default). */
  backend: Backend | undefined;
  /** The connection's addresses and TLS facts, captured at accept by the frontend (connection-info.ts). */
  readonly connection: ConnectionInfo;
  get clientAddress(): string {
    return this.connection.clientAddress;
  }
  /** The server of the transaction in flight, if one was chosen (`show sess`'s srv=). */
  get serverName(): string | undefined {
    return this.#leg.lastServerName;
  }
  get clientPort(): number {
    return this.connection.clientPort;
  }

  readonly #side: HttpClientSide;
  /** `default_backend` (or the `listen` section's own): the backend unless `use_backend` picks another. */
  readonly #defaultBackend: Backend | undefined;
  /** The frontend's mode alone, until a backend is chosen; then the combination of both. */
  readonly #frontendMode: HttpConnectionMode;
  #mode: HttpConnectionMode;
  /** The server side of the exchange: the connection it rides, response parsing and framing. */
  readonly #exchange: H1ServerExchange;
  /** Server connections private to this session (`http-reuse never`, dispatch, transparent). */
  #privateConns: SessionServerConns | undefined = undefined;
  readonly #editor = new HeadEditor();
  /** The transaction's response filters (`filter`, `compression`): undefined when none applies. */
  #filters: ResponseFilterChain | undefined = undefined;
  /** The algorithm compressing the response, once the filter took it (`res.comp` in the log). */
  #compression: string | undefined = undefined;

  #req: RequestHead | undefined;
  /** The frontend's `tcp-request content` rules refused the request before HAProxy records its line. */
  #requestLineUnseen = false;
  #reqHeadBytes: Uint8Array = EMPTY;
  /**
   * The same head as a head (HeadEditor.buildRequestHead), where a reader takes it so: an HTTP/2
   * server's stream (when the backend speaks HTTP/2), the balancer (`#lbView`). Else undefined.
   */
  #reqHeadBuilt: RequestHead | undefined = undefined;
  /**
   * The request's analysis ended (its rules ran; it goes to a server or is answered here):
   * HAProxy's logs.tv_request, which a rule's `%TR` reads as -1 before.
   */
  #requestAnalysed = false;
  #reqBodyDone = false;
  #reqBodyStarted = false;
  /** Request body bytes framed (validated) before the server connection was ready, or waited for. */
  readonly #heldRequest: HeldBody;
  /** Response body bytes held while `http-response wait-for-body` waits. */
  readonly #heldResponse: HeldBody;
  #stage: Stage = Stage.idle;
  /** The cookie's or `use-server`'s choice (none) while Stage.balanceBody waits for the POST body. */
  #direct: DirectChoice | undefined;
  /** A response head whose rules wait for its body (`http-response wait-for-body`). */
  #waitingResponse: ResponseHead | undefined;
  /** When a body wait gives up (408 / 504); -1 when no wait is armed. */
  #bodyWaitUntil = -1;
  /** Whether a body wait is armed on the request or the response. */
  #bodyWait: 'request' | 'response' | undefined;
  /** The client half-closed while the analysers waited for its body. */
  #clientShut = false;
  /** `option abortonclose`: the client's FIN was passed on to the server, which has not answered yet. */
  #finForwarded = false;
  /** The internal service answering this transaction (`use-service`), if any. */
  #service: HttpService | undefined;
  /** Bumped when a transaction ends: an answer from a service of an earlier one is dropped. */
  #serviceCalls = 0;
  #reqStartedAt = -1;
  #reqStartedWall = 0;
  #reqHeadAt = -1;
  /** The request reached the analysers (HAProxy's stream exists): errors get the proxies' errorfiles. */
  #analysing = false;
  /** Choosing, queueing for and connecting to the server (the same code as mode tcp). */
  readonly #leg: ServerLeg;
  #serverLast = 0;
  /** The server is paused because the client cannot take more. */
  #serverHeld = false;
  /** The response head forwarded to the client (undefined: the client has seen nothing yet). */
  #resHead: ResponseHead | undefined;
  #requestSentAt = -1;
  #resHeadAt = -1;
  #status = 0;
  #bytesOut = 0;
  #cause: TerminationCause = '-';
  #phase: TerminationPhase = '-';
  #countedInBackend = false;
  /** What the request's persistence cookie said (only when the backend has `cookie`). */
  #cookieState: CookieTxn | undefined;
  /** The frontend's `tcp-request content` rules, run per request in HTTP mode; undefined when none. */
  readonly #frontendTcpRules: HttpBackendTcpRules | undefined;
  /** The last backend's tcp rules in HTTP mode, looked up again only when the backend changes. */
  #tcpRulesOf: Backend | undefined;
  #tcpRules: { request: HttpBackendTcpRules | undefined; response: HttpBackendTcpRules | undefined } = { request: undefined, response: undefined };
  /** The frontend's HTTP rules (and `use_backend`), compiled once per generation; undefined when none. */
  readonly #frontendRules: ProxyHttpRules | undefined;
  /** The context rules run in, created by the first request that has rules to run. */
  #rules: HttpRuleRunner | undefined;
  /** The fcgi-app's `set-param` values for the request in flight (src/stream/fcgi-request.ts). */
  #fcgiParams: FcgiRequestRules | undefined;
  /** The chosen backend's own rules for this transaction. */
  #backendRules: ProxyHttpRules | undefined;
  /** A tarpitted request's reply, sent at #tarpitUntil. */
  #tarpitReply: LocalReply | undefined;
  #tarpitUntil = 0;
  /** This transaction's `timeout server` / `timeout tunnel` (the backend's, or `set-timeout`'s). */
  #serverTimeout: number | undefined;
  #tunnelTimeout: number | undefined;
  /** The stream (request) number, -1 until its first byte. */
  #streamId = -1;
  /** Request bytes received (head and body): %U. */
  #reqBytes = 0;
  #loggedStream = -1;
  readonly #uniqueId: UniqueId | undefined;
  /** `capture ...` slots of the frontend (stream/captures.ts); undefined when it declares none. */
  readonly #captures: StreamCaptures | undefined;
  /**
   * The request as the rules edited it, re-parsed from the bytes sent to the server, for the
   * balancer and stick rules (HAProxy balances the edited message); only built when the rules
   * changed the head and the backend reads it.
   */
  #lbView: RequestHead | undefined;

  constructor(host: SessionHost, side: HttpClientSide, defaultBackend: Backend | undefined) {
    this.host = host;
    this.runtime = host.runtime;
    this.#side = side;
    this.connection = side.connection;
    this.backend = defaultBackend;
    this.#defaultBackend = defaultBackend;
    this.#frontendMode = connectionModeOf(host.model.http, undefined);
    this.#mode = this.#frontendMode;
    this.#leg = new ServerLeg(this.runtime, this);
    const room = host.limits.buffers.room;
    this.#exchange = new H1ServerExchange(this, room);
    this.#heldRequest = new HeldBody(room);
    this.#heldResponse = new HeldBody(room);
    this.#frontendRules = httpRulesOf(host.model, 'frontend');
    this.#frontendTcpRules = frontendContentRules(host.model);
    this.#captures = streamCapturesFor(host.model);
    this.#uniqueId = host.trafficLog.uniqueIdFor(this);
  }

  // ---- SampleContext for `balance hash` and stick expressions; StreamContext for logs --------

  /** The stream's destination: the connection's, unless this request's `set-dst*` changed it (transparent backends connect there). */
  get localAddress(): string {
    return (this.#rules ?? this.connection).localAddress;
  }
  /** The stream's own addresses (`http-request set-src|set-dst`), for a server's PROXY header. */
  get streamAddresses(): ProxyHeaderSource {
    return this.#rules ?? this.connection;
  }
  get localPort(): number {
    return (this.#rules ?? this.connection).localPort;
  }
  get clientTls(): TlsInfo | undefined {
    return this.connection.tls;
  }
  get hostname(): string | undefined {
    return this.runtime.hostname;
  }
  /**
   * An HTTP/2 request's normalized URI, as `scheme://authority`'s two parts: what an HTTP/2
   * server gets as `:scheme` and `:authority` (HAProxy keeps the absolute form toward it; the
   * HTTP/1 head the stream writes has the origin form). Undefined for other requests.
   */
  get http2Origin(): Http2Origin | undefined {
    const req = this.#req;
    if (req === undefined || !req.http2 || !isAbsoluteForm(req)) return undefined;
    const target = req.target;
    const colon = target.indexOf('://');
    return colon > 0 ? { scheme: target.slice(0, colon), authority: req.host ?? '' } : undefined;
  }
  /** The Sec-WebSocket-Key made up for an HTTP/2 extended CONNECT (see H2ServerStream's use). */
  get madeUpWebsocketKey(): string | undefined {
    return this.#req?.madeUpWebsocketKey;
  }
  /** LbRequest: the request being routed, for hash keys (uri, url_param, hdr, hash). */
  get lbHead(): RequestHead | undefined {
    return this.#lbView ?? this.#req;
  }
  /** LbRequest: the request payload held so far (`balance url_param`'s POST lookup). */
  get requestBody(): MessageBody {
    return this.#heldRequest;
  }
  /** `var()` in `balance hash` and stick expressions: the rules' variables, else only `proc`. */
  get vars(): VarScopes {
    return this.#rules?.vars ?? this.host.procVars;
  }
  get frontendName(): string {
    return this.host.name;
  }
  get pid(): number {
    return this.runtime.pid;
  }
  /** %rt: numbered when the request's first byte arrives. */
  get streamId(): number {
    return this.#streamId;
  }
  /** The stream's accept date: the connection's for its first request, else the end of the previous one (as HAProxy's H1 layer). */
  get acceptWall(): number {
    if (this.#reqStartedAt >= 0) return this.#reqStartedWall - Math.round(this.#reqStartedAt - this.#side.idleSince);
    return this.runtime.wallClock() - (this.#side.now - this.#side.idleSince);
  }
  /** `unique-id`: generated on first use from the frontend's `unique-id-format`. */
  get uniqueId(): string | undefined {
    return this.#uniqueId?.value;
  }
  get uniqueIdIfGenerated(): string | undefined {
    return this.#uniqueId?.generated;
  }
  /** Where the backend counts this request's queue positions (%sq, %bq). */
  get queuePositions(): QueuePositions {
    return this.#leg.queuePositions;
  }

  // ---- what the client-side mux asks -----------------------------------------------------------

  /** When the first byte of the current request arrived; -1 before. */
  get requestStartedAt(): number {
    return this.#reqStartedAt;
  }
  get requestComplete(): boolean {
    return this.#reqBodyDone;
  }
  /**
   * A request head is complete and framed: the analysers may start, or resume where they wait
   * for its body (the mux asks again after each read).
   */
  get readyToStart(): boolean {
    return this.#leg.step === 'none' && this.#resHead === undefined && this.#tarpitReply === undefined && (this.#stage === Stage.idle ? !this.#analysing : this.#bodyWait === 'request');
  }

  /**
   * The session's private server connections: this stream's own on an HTTP/1 connection (its
   * only stream), the connection's on an HTTP/2 one, shared by its streams and closed with it.
   */
  #existingPrivateConns(): SessionServerConns | undefined {
    return this.connection.http2 ? this.connection.privateServerConns : this.#privateConns;
  }

  #privateConnsStore(): SessionServerConns {
    const max = this.host.model.maxSessionSrvConns ?? DEFAULT_MAX_SESSION_SRV_CONNS;
    if (this.connection.http2) return (this.connection.privateServerConns ??= new SessionServerConns(max));
    return (this.#privateConns ??= new SessionServerConns(max));
  }

  /** The first byte of a request arrived: the stream is numbered and its timers start. */
  requestStarted(): void {
    this.#reqStartedAt = this.#side.now;
    this.#reqStartedWall = this.runtime.wallClock();
    this.#streamId = this.host.limits.nextStreamId();
  }

  countRequestBytes(n: number): void {
    this.#reqBytes += n;
  }

  /** A complete request head; `bodyDone` when it has no body to wait for. */
  begin(head: RequestHead, bodyDone: boolean): void {
    this.#req = head;
    this.#reqHeadAt = this.#side.now;
    requestReceived(this.host.counters);
    this.#reqBodyDone = bodyDone;
    this.#reqBodyStarted = false;
    this.#heldRequest.begin(head, bodyDone);
  }

  /** Request body bytes, framed (validated) by the client side, in wire form. */
  requestData(bytes: Uint8Array): void {
    if (this.#server !== undefined) this.#forwardRequestBody(bytes);
    else this.#holdRequestBody(bytes);
  }

  requestEnd(): void {
    this.#reqBodyDone = true;
    this.#heldRequest.ended = true;
    this.#maybeFinishTransaction();
  }

  #holdRequestBody(bytes: Uint8Array): void {
    const held = this.#heldRequest;
    held.push(bytes);
    // While the analysers wait for the body they read no further than a full buffer.
    if (held.wireBytes >= HOLD_LIMIT || (this.#bodyWait === 'request' && held.full)) this.#side.holdRequest();
  }

  #forwardRequestBody(bytes: Uint8Array): void {
    this.#reqBodyStarted = true;
    const backend = this.backend as Backend;
    backend.counters.bin += bytes.byteLength;
    (this.#leg.server as Server).counters.bin += bytes.byteLength;
    this.#serverLast = this.#side.now;
    if (!(this.#server as Socket).write(bytes)) this.#side.holdRequest();
  }

  /** The cookie persistence state of this transaction, when its backend has `cookie`. */
  get #cookieTxn(): CookieTxn | undefined {
    if (this.backend?.persistence?.cookie === undefined) return undefined;
    return (this.#cookieState ??= new CookieTxn());
  }

  #ruleRunner(): HttpRuleRunner {
    let rules = this.#rules;
    if (rules === undefined) {
      rules = this.#rules = new HttpRuleRunner(this.#frontendRules, this.connection, this.runtime, this.host.name, this.host.procVars, this.host.userlists, this.host);
      rules.uniqueIds = this.#uniqueId;
      rules.stream = this;
      rules.useProxyHeader = this.host.model.options.useProxyHeader === true;
      rules.captures = this.#captures;
      rules.sendInterim = this.#sendInterim;
      rules.bodyWaiter = this;
      if (this.host.resolvers !== undefined) rules.names = new StreamNameResolver(this.host.resolvers, this.runtime, this.#resumeAfterResolution);
      rules.requestBody = this.#heldRequest;
      rules.responseBody = this.#heldResponse;
      // src/cache/: the caches `cache-use` / `cache-store` act on.
      if (this.host.caches !== undefined) rules.caching = new StreamCaching(this.host.caches, () => this.runtime.wallClock());
    }
    return rules;
  }

  /** A `do-resolve` the rules waited for has its outcome: they go on from that rule. */
  readonly #resumeAfterResolution = (): void => {
    if (this.#rules?.yielded !== true || (this.#stage !== Stage.frontendRules && this.#stage !== Stage.backendRules)) return;
    this.#side.now = this.runtime.now();
    this.#analyse();
  };

  /** The analysers, from the frontend's rules to the server leg; called again to resume a wait for the body. */
  start(): void {
    if (this.#stage !== Stage.idle) return this.#analyse();
    const head = this.#req as RequestHead;
    const captures = this.#captures;
    this.#requestLineUnseen = false;
    if (captures !== undefined) {
      captures.beginRequest();
      // The first request's `tcp-request content` rules ran on the connection: their captures are its.
      const accepted = this.#side.requests === 1 && !this.connection.contentRulesPerStream ? this.connection.takeAcceptCaptures() : undefined;
      if (accepted !== undefined) captures.keepAcceptCaptures(accepted);
    }
    if (hostContradictsTarget(head)) {
      captures?.captureRequest(head);
      this.host.counters.ereq++;
      addToListener(this.connection.listenerCounters, 'ereq');
      return this.fail(400, 'P', 'R');
    }
    this.#analysing = true;
    // HAProxy's analysers: the frontend's http-request rules, the backend choice, the backend's
    // rules; every fetch and action sees the head as the rules before it edited it.
    const editor = this.#editor.begin(head);
    const feRules = this.#frontendRules;
    // A runner left from an earlier request starts afresh even when only its backend had rules.
    const feTcpRules = this.#frontendTcpRules;
    const runner = feRules !== undefined || feTcpRules !== undefined ? this.#ruleRunner() : this.#rules;
    runner?.beginRequest(head, editor);
    // The frontend's tcp-request content rules run per request; a tcp frontend's first ran on the connection.
    const ranOnConnection = this.#side.requests === 1 && !this.connection.contentRulesPerStream;
    if (feTcpRules !== undefined && !ranOnConnection) {
      // HAProxy runs them before http_wait_for_request: a request they reject is logged without
      // its request line (<BADREQ>) nor its header captures.
      this.#requestLineUnseen = true;
      if (this.#tcpRulesRejected(feTcpRules, runner as HttpRuleRunner)) return;
      this.#requestLineUnseen = false;
    }
    captures?.captureRequest(head);
    if (this.host.model.monitor !== undefined && this.#answeredMonitor(head, editor, runner)) return;
    this.#stage = Stage.frontendBody;
    this.#analyse();
  }

  /**
   * `monitor-uri` (src/http/monitor-uri.ts): 200, or 503 when `monitor fail` holds, on a kept-alive
   * connection; HAProxy neither logs these requests nor runs any rule for them.
   */
  #answeredMonitor(head: RequestHead, editor: HeadEditor, runner: HttpRuleRunner | undefined): boolean {
    const monitor = monitorOf(this.host.model);
    if (monitor === undefined || !monitor.matches(head.target)) return false;
    let ctx = runner;
    if (ctx === undefined && monitor.hasFailConditions) (ctx = this.#ruleRunner()).beginRequest(head, editor);
    const status = monitor.status(ctx);
    this.#rules?.endRequest();
    this.fail(status, 'L', 'R', false);
    return true;
  }

  /** Runs the request analysers from the current stage; returns early where one waits for the body. */
  #analyse(): void {
    const head = this.#req as RequestHead;
    const editor = this.#editor;
    if (this.#stage === Stage.service) {
      if (!this.bodyReady(false, this.host.timeouts.httpRequest ?? 0, 0)) return;
      this.#stage = Stage.idle;
      return this.#callService();
    }
    if (this.#stage === Stage.balanceBody) return this.#balanceOnBody();
    if (this.#stage === Stage.frontendBody) {
      // HAProxy's wait for the body uses the `timeout http-request` of the proxy in charge.
      if (this.host.model.options.bufferRequest === true && !this.bodyReady(false, this.host.timeouts.httpRequest ?? 0, 0)) return;
      this.#stage = Stage.frontendRules;
    }
    if (this.#stage === Stage.frontendRules) {
      if (this.#frontendRules !== undefined) {
        (this.#rules as HttpRuleRunner).rewriteRoom = rewriteRoom(this.host.limits.buffers, head, this.#heldRequest.wireBytes);
        if (this.#rules?.caching !== undefined) this.#rules.caching.counters = this.host.counters; // src/cache/: the frontend counts its lookups
        const verdict = (this.#rules as HttpRuleRunner).frontendRequest();
        if (verdict === Verdict.yield) return;
        if (verdict === Verdict.reply) return this.#replyLocally(this.#rules as HttpRuleRunner);
      }
      if (this.#refusedHeaderNames(this.host.model.options.restrictHeaderNames)) return;
      // stats page: after the frontend's http-request rules (HAProxy's http_stats_check_uri).
      if (this.host.model.stats !== undefined && this.#interceptStats(this.host.model)) return;
      this.#stage = Stage.switching;
    }
    if (this.#stage === Stage.switching) {
      let backend = this.#defaultBackend;
      const runner = this.#rules;
      const named = this.#frontendRules !== undefined && this.#frontendRules.switching.length > 0 ? (runner as HttpRuleRunner).switchingTarget() : undefined;
      // A dynamic name that names no backend falls back to the default one, as HAProxy does.
      if (named !== undefined) backend = this.host.backendNamed(named) ?? backend;
      this.backend = backend;
      if (backend === undefined) {
        this.#stage = Stage.idle;
        this.#rules?.endRequest();
        return this.fail(503, 'P', 'R');
      }
      // The server side's mode: either proxy's closes it. The client side's is the frontend's
      // alone (HAProxy's h1_set_cli_conn_mode), which its mux already applies.
      this.#mode = connectionModeOf(this.host.model.http, backend.http);
      backend.counters.reqTot++;
      backend.sessionEntered();
      this.#countedInBackend = true;
      const beRules = backendRulesFor(this.host.model, backend.model);
      this.#backendRules = beRules;
      if (runner !== undefined) {
        runner.backendTimeouts = backend.timeouts;
        runner.backend = backend;
      }
      // The backend's tcp-request content rules come before its http-request rules (AN_REQ_INSPECT_BE).
      const beTcpRules = this.#backendTcp(backend).request;
      if (beRules !== undefined || beTcpRules !== undefined) {
        const rules = this.#ruleRunner();
        if (runner === undefined) rules.beginRequest(head, editor);
        rules.backendTimeouts = backend.timeouts;
        rules.backend = backend;
        if (beTcpRules !== undefined && this.#tcpRulesRejected(beTcpRules, rules)) {
          this.#stage = Stage.idle;
          return;
        }
      }
      this.#stage = Stage.backendBody;
    }
    if (this.#stage === Stage.backendBody) {
      const backend = this.backend as Backend;
      if (backend.model.options.bufferRequest === true && this.host.model.options.bufferRequest !== true) {
        if (!this.bodyReady(false, backend.timeouts.httpRequest ?? 0, 0)) return;
      }
      this.#stage = Stage.backendRules;
    }
    if (this.#stage === Stage.backendRules) {
      const beRules = this.#backendRules;
      if (beRules !== undefined) {
        (this.#rules as HttpRuleRunner).rewriteRoom = rewriteRoom(this.host.limits.buffers, head, this.#heldRequest.wireBytes);
        if (this.#rules?.caching !== undefined) this.#rules.caching.counters = (this.backend as Backend).counters; // src/cache/: the backend counts its lookups
        const verdict = (this.#rules as HttpRuleRunner).requestRules(beRules);
        if (verdict === Verdict.yield) return;
        if (verdict === Verdict.reply) return this.#replyLocally(this.#rules as HttpRuleRunner);
      }
      const beModel = (this.backend as Backend).model;
      if (!sameSection(this.host.model, beModel) && this.#refusedHeaderNames(beModel.options.restrictHeaderNames)) return;
      // stats page: after the backend's http-request rules (a `listen` was checked once, above).
      if (beModel.stats !== undefined && !sameSection(this.host.model, beModel) && this.#interceptStats(beModel)) return;
    }
    this.#stage = Stage.idle;
    if (this.#clientShut) {
      this.#rules?.endRequest();
      return this.#endAborted();
    }
    // `cache-use` found the response: the cache answers instead of a server (src/cache/).
    if (this.#rules?.caching?.txn.hit !== undefined) return this.#serveFromCache(this.#rules);
    this.#connectServer(head, editor);
  }

  /**
   * A cache hit (HAProxy's cache applet): the stored response goes through the response rules,
   * the H1 mux's edits and the after-response rules as a server's would, then its payload.
   */
  #serveFromCache(rules: HttpRuleRunner): void {
    const req = this.#req as RequestHead;
    const backend = this.backend as Backend;
    const caching = rules.caching as StreamCaching;
    this.#countRewriteError(rules);
    rules.endRequest();
    const cached = caching.txn.response(caching.nowSeconds(), req.method === 'HEAD');
    const head = cached.head;
    this.#resHeadAt = this.#side.now;
    const editor = this.#editor.begin(head);
    if (rules.applyResponse(req, head, editor, this.#backendRules) === Verdict.reply) return this.#replaceResponse(rules);
    this.#countRewriteError(rules);
    this.#resHead = head;
    this.#status = rules.responseStatus ?? head.status;
    countResponse(this.host.counters, this.#status);
    countResponse(backend.counters, this.#status);
    if (!this.#reqBodyDone) this.#side.closeAfter = true;
    this.#side.prepareResponseHead(req, head, editor);
    if (hasAfterResponseRules(this.#frontendRules, this.#backendRules)) {
      rules.applyAfterResponse(req, head, editor, this.#backendRules, false);
      this.#countRewriteError(rules);
      this.#status = rules.responseStatus ?? this.#status;
    }
    if (this.host.trafficLog.early) this.log(head);
    this.#bytesOut += this.#side.sendResponseHead(editor);
    for (const chunk of cached.body) this.#sendData(chunk);
    this.log();
    this.#endTransaction();
    this.#side.transactionEnded(false);
  }

  /** The client left while its request waited for its body, before any server: logged, closed. */
  #endAborted(): void {
    this.host.counters.ereq++;
    addToListener(this.connection.listenerCounters, 'ereq');
    // HAProxy counts the stream's status (-1) among the other responses, and the client's abort.
    countResponse(this.host.counters, -1);
    if (this.#countedInBackend) {
      const backend = this.backend as Backend;
      countResponse(backend.counters, -1);
      countAbort('C', backend.counters, undefined);
    }
    this.log();
    this.#side.destroy();
  }

  /** The analysers are done with the request head: what the proxy adds, persistence, balancing, the server leg. */
  #connectServer(head: RequestHead, editor: HeadEditor): void {
    const backend = this.backend as Backend;
    const rulesEdited = editor.changed;
    // `set-timeout`: this transaction's server and tunnel timeouts.
    this.#serverTimeout = this.#rules?.serverTimeout ?? backend.timeouts.server;
    this.#tunnelTimeout = this.#rules?.tunnelTimeout ?? backend.timeouts.tunnel;
    if (this.#rules !== undefined) this.#countRewriteError(this.#rules);
    this.#rules?.endRequest();
    this.#requestAnalysed = true;
    this.#finishRequestHead(head, editor);
    const lbReadsEdits = rulesEdited && readsRequestHead(backend);
    this.#buildServerHead(editor, lbReadsEdits || backend.speaksHttp2);
    if (lbReadsEdits) this.#lbView = this.#reqHeadBuilt;
    // Persistence: the cookie's server, `use-server`, then (after any wait below) a stick table match, offered first.
    const direct = directServer(backend, this, this.#cookieTxn?.server);
    // HAProxy's http_process_request: a POST that `balance url_param` may hash, with no server
    // assigned yet, waits for its body (as `option http-buffer-request` would) before balancing.
    if (direct.server === undefined && backend.model.balance.algorithm === 'url_param' && this.lbHead?.method === 'POST') {
      this.#direct = direct;
      this.#stage = Stage.balanceBody;
      return this.#balanceOnBody();
    }
    this.#beginLeg(backend, direct);
  }


  #balanceOnBody(): void {
    const backend = this.backend as Backend;
    const firstWait = this.#bodyWait === undefined;
    if (!this.bodyReady(false, backend.timeouts.httpRequest ?? 0, 0)) {
      // The head was built already: drop the Expect that bodyReady() answered with 100 Continue
      // (the server must not answer it again), as HAProxy's http_handle_expect_hdr does.
      if (firstWait && (this.#req as RequestHead).expectContinue) this.#buildServerHead(this.#editor, this.#reqHeadBuilt !== undefined);
      return;
    }
    this.#stage = Stage.idle;
    const direct = this.#direct as DirectChoice;
    this.#direct = undefined;
    if (this.#clientShut) return this.#endAborted();
    this.#beginLeg(backend, direct);
  }

  #beginLeg(backend: Backend, direct: DirectChoice): void {
    const choice = withStickServer(direct, this.#stickTarget);
    // `retry-on` without conn-failure (e.g. `retry-on none`) disables connection retries too.
    const retryOn = backend.http?.retryOn;
    this.#leg.begin(backend, choice.server, retryOn === undefined || retryOn.includes('conn-failure'), choice.force);
  }

  /**
   * Whether the request's (or the response's) body is there for the analysers: complete, filling
   * the buffer, or `atLeast` bytes of it (0: the whole body). Otherwise arms the wait (HAProxy's
   * http_wait_for_msg_body): its deadline is set once, `time` after the first wait (0: none,
   * only the client's or server's timeout), and the stream is resumed as the body arrives.
   */
  bodyReady(response: boolean, time: number, atLeast: number): boolean {
    const body = response ? this.#heldResponse : this.#heldRequest;
    if (body.ended || body.full || (!response && this.#clientShut) || (atLeast > 0 && body.payloadBytes >= atLeast)) {
      // HAProxy takes the request's time (%TR) again once a wait for its body ends
      // (http_wait_for_request_body, http_process_request).
      if (!response && this.#bodyWait === 'request') this.#reqHeadAt = this.#side.now;
      this.#bodyWait = undefined;
      this.#bodyWaitUntil = -1;
      return true;
    }
    if (!response && this.#bodyWait === undefined) {
      // The client waits for our go before it sends the body (HAProxy's http_handle_expect_hdr).
      const head = this.#req as RequestHead;
      if (head.expectContinue) {
        this.#editor.delete(H_EXPECT);
        this.#sendHead(CONTINUE);
      }
    }
    this.#bodyWait = response ? 'response' : 'request';
    if (this.#bodyWaitUntil < 0 && time > 0) this.#bodyWaitUntil = this.#side.now + time;
    if (!response) this.#side.releaseRequest();
    this.#side.schedule();
    return false;
  }

  #backendTcp(backend: Backend): { request: HttpBackendTcpRules | undefined; response: HttpBackendTcpRules | undefined } {
    if (backend !== this.#tcpRulesOf) {
      this.#tcpRulesOf = backend;
      this.#tcpRules = { request: backendContentRules(this.host.model, backend.model), response: responseContentRules(backend.model) };
    }
    return this.#tcpRules;
  }

  /** FcgiRequestSource: what a `proto fcgi` server's mux sends about this request (src/mux/fcgi-server.ts). */
  fcgiRequestFacts(): FcgiRequestFacts {
    const addresses = this.#rules ?? this;
    return {
      clientAddress: addresses.clientAddress,
      clientPort: addresses.clientPort,
      localAddress: addresses.localAddress,
      localPort: addresses.localPort,
      https: this.connection.tls !== undefined,
      params: this.#fcgiParams?.params ?? [],
      hiddenHeaders: this.#fcgiParams?.hidden ?? NO_HEADERS,
    };
  }

  readonly #stickTarget = (): Server | undefined => this.backend?.persistence?.stickTarget(this, this.#side.now);

  /**
   * The head for the server: its bytes, and with `asHead` the head they make (see #reqHeadBuilt).
   * A head the parser would refuse (HttpParseError) goes as bytes only: the server's mux refuses it.
   */
  #buildServerHead(editor: HeadEditor, asHead: boolean): void {
    this.#reqHeadBuilt = undefined;
    if (asHead) {
      let built: RequestHead | undefined;
      try {
        built = editor.buildRequestHead(REQUEST_MAX_FIELDS, REQUEST_MAX_HEAD_SIZE);
      } catch (error) {
        if (!(error instanceof HttpParseError)) throw error;
      }
      if (built !== undefined) {
        this.#reqHeadBuilt = built;
        this.#reqHeadBytes = built.raw;
        return;
      }
    }
    this.#reqHeadBytes = editor.build();
  }

  /** What the proxy itself adds to the request head once the rules ran (HAProxy's http_process_request). */
  #finishRequestHead(head: RequestHead, editor: HeadEditor): void {
    prepareRequestHead(head, editor, this.#mode, this.backend?.model.options.pretendKeepAlive === true);
    // HAProxy generates the unique id here even without `unique-id-header`, so that it can read the request.
    const uniqueId = this.#uniqueId?.value;
    const uniqueIdHeader = this.host.trafficLog.uniqueIdHeader;
    if (uniqueId !== undefined && uniqueIdHeader !== undefined) editor.append(uniqueIdHeader, uniqueId);
    const src = (this.#rules ?? this).clientAddress;
    const xff = forwardedForValue(this.host.model.http, this.backend?.http, src);
    if (xff !== undefined && !(xff.ifNone && head.has(xff.header))) editor.append(xff.header.name, src);
    const dst = (this.#rules ?? this).localAddress;
    const xot = originalToHeader(this.host.model.http, this.backend?.http, dst);
    if (xot !== undefined) editor.append(xot, dst);
    const cookie = this.backend?.persistence?.cookie;
    if (cookie !== undefined) cookie.request(head, editor, this.#cookieTxn as CookieTxn, this.#wallSeconds());
    // With caches, a `cache-store` among the response rules (which make the rule runner) may store.
    const cache = this.host.caches === undefined ? undefined : this.#ruleRunner().caching?.txn;
    this.#filters = startResponseFilters(
      this.host.model,
      (this.backend as Backend).model,
      this.runtime,
      cache,
      this.host.counters,
      (this.backend as Backend).counters,
      this.host.limits,
    );
    this.#filters?.request(head, editor);
    // The FCGI filter's request side (use-fcgi-app): its parameters, its hidden headers.
    const fcgiApp = (this.backend as Backend).model.fcgiApp;
    if (fcgiApp === undefined) this.#fcgiParams = undefined;
    else {
      // Its fetches read this request as edited so far (the rules' own view ended with endRequest()).
      const runner = this.#ruleRunner();
      runner.lbHead = head;
      runner.requestEdits = editor;
      this.#fcgiParams = applyFcgiApp(fcgiApp, runner);
      runner.requestEdits = undefined;
    }
    // `http-send-name-header`: the server's name goes in at each send (#sendRequest); no other
    // header of that name reaches the server, the client's or the rules' (HAProxy's h1 mux).
    const serverName = (this.backend as Backend).model.sendNameHeader;
    if (serverName !== undefined) editor.delete(serverName);
    appendMadeUpWebsocketKey(head, editor);
  }

  /**
   * A rule answered (deny, return, redirect): the reply goes to the client and no server is
   * involved. HAProxy keeps the connection when the request was received whole, and closes it
   * otherwise (the rest of the body could not be told from the next request).
   */
  /**
   * `option http-restrict-req-hdr-names` of the proxy whose `http-request` rules just ran:
   * true when it refused the request (a 403 like `deny`: PR, a denied request).
   */
  #refusedHeaderNames(mode: 'delete' | 'reject' | undefined): boolean {
    if (mode === undefined || restrictHeaderNames(this.#req as RequestHead, this.#editor, mode)) return false;
    const fresh = this.#rules === undefined;
    const rules = this.#ruleRunner();
    if (fresh) rules.beginRequest(this.#req as RequestHead, this.#editor);
    rules.reply = this.#proxyReply(errorPageReply(403));
    rules.denied = true;
    this.#replyLocally(rules);
    return true;
  }

  #replyLocally(rules: HttpRuleRunner): void {
    this.#stage = Stage.idle;
    if (rules.service !== undefined) return this.#startService(rules);
    if (rules.rejected) return this.#reject(rules);
    const reply = rules.reply as LocalReply;
    const denied = rules.denied;
    const tarpit = rules.tarpit;
    const invalid = rules.invalidRequest;
    const failedRewrite = this.#countRewriteError(rules);
    rules.endRequest();
    // HAProxy: a `deny` ends as PR (proxy condition) and counts a denied request; a `return`
    // or a redirect as LR (processed locally). A request a rule found invalid is a bad
    // request (PR, counted in ereq), and the connection closes after the 400.
    if (denied) this.#countDenied();
    if (tarpit) return this.#startTarpit(reply);
    if (invalid) {
      this.host.counters.ereq++;
      addToListener(this.connection.listenerCounters, 'ereq');
      this.#side.closeAfter = true;
    }
    this.setTermination(denied || invalid || failedRewrite ? 'P' : 'L', 'R');
    this.#sendLocalReply(reply);
  }

  /**
   * `use-service NAME`: the configuration's service answers (HAProxy's applet; logged LR with
   * the applet's name in the server's place), after the whole body when it reads bodies.
   */
  #startService(rules: HttpRuleRunner, service = this.host.services?.get(rules.service as string)): void {
    rules.endRequest();
    if (service === undefined) return this.fail(503, 'P', 'R');
    this.#service = service;
    this.setTermination('L', 'R');
    if (service.readsBody && !this.#reqBodyDone) {
      this.#stage = Stage.service;
      return this.#analyse();
    }
    this.#callService();
  }

  /** The stats page of `owner` takes the request when its URI matches (src/services/stats/). */
  #interceptStats(owner: FrontendModel | BackendModel): boolean {
    const head = this.#req as RequestHead;
    const stats = owner.stats as StatsPageModel;
    const services = this.host.services;
    if (services === undefined || !matchesStatsUri(stats, head.method, head.target)) return false;
    const fresh = this.#rules === undefined;
    const rules = this.#ruleRunner();
    if (fresh) rules.beginRequest(head, this.#editor);
    const service = statsAccess(services.statsPage(owner, stats), rules, head);
    this.#stage = Stage.idle;
    // HAProxy closes the connection after the stats applet's 401 or deny (http_reply_and_close).
    if (service === undefined) {
      this.#side.closeAfter = true;
      this.#replyLocally(rules);
    } else this.#startService(rules, service);
    return true;
  }

  #callService(): void {
    const service = this.#service as HttpService;
    const call = this.#serviceCalls;
    let answer: ServiceResponse | Promise<ServiceResponse>;
    try {
      answer = service.serve(serviceRequest(this.#req as RequestHead, this.#heldRequest, this.clientAddress));
    } catch {
      return this.#serviceFailed();
    }
    if (!(answer instanceof Promise)) return this.#serviceAnswered(answer);
    // The connection may have moved on (closed, killed) by the time the answer comes.
    answer.then(
      (response) => {
        if (call === this.#serviceCalls && !this.#side.closed) this.#serviceAnswered(response);
      },
      () => {
        if (call === this.#serviceCalls && !this.#side.closed) this.#serviceFailed();
      },
    );
  }

  #serviceAnswered(response: ServiceResponse): void {
    this.#side.now = this.runtime.now();
    const headers: (readonly [string, string])[] = [...response.headers, ['content-length', String(response.body.byteLength)]];
    this.#sendLocalReply(new LocalReply(response.status, headers, response.body, response.reason));
  }

  /** A service that throws is an internal error (500), as HAProxy's applets report theirs. */
  #serviceFailed(): void {
    this.#side.now = this.runtime.now();
    this.fail(500, 'P', 'R');
  }

  /** A denied request counts on the frontend and, once chosen, the backend (HAProxy's denied_req). */
  #countDenied(): void {
    this.host.counters.dreq++;
    addToListener(this.connection.listenerCounters, 'dreq');
    if (this.#countedInBackend) (this.backend as Backend).counters.dreq++;
  }

  /** `http-request early-hint`: a 103 goes to the client at once (counted in %B). */
  readonly #sendInterim = (bytes: Uint8Array): void => this.#sendHead(bytes);

  /**
   * `http-request reject`: no response, the connection closes at once. HAProxy logs it PR
   * with status -1 and no %TR, and counts a denied request.
   */
  #reject(rules: HttpRuleRunner): void {
    const drop = rules.silentDrop;
    rules.silentDrop = false;
    rules.endRequest();
    this.#countDenied();
    this.setTermination('P', 'R');
    this.#reqHeadAt = -1;
    this.log();
    // `silent-drop`: a reset where the runtime can (HAProxy mutes the socket with TCP_REPAIR).
    if (drop) this.#side.drop();
    else this.#side.destroy();
  }

  /**
   * `http-request tarpit`: the request is held, unanswered, for `timeout tarpit` (else `timeout
   * connect`) of the proxy whose rule matched, then answered like any local reply — the
   * connection stays open for the next request (HAProxy 2.6's http_process_tarpit; logged PT, or
   * CT when the client leaves first).
   */
  #startTarpit(reply: LocalReply): void {
    const t = this.#countedInBackend ? (this.backend as Backend).timeouts : this.host.timeouts;
    this.#tarpitReply = reply;
    this.#tarpitUntil = this.#side.now + (t.tarpit ?? t.connect ?? 0);
    this.#side.schedule();
  }

  /** `tcp-request content` rules in the stream: a reject or a silent-drop ends it without an answer (PR). */
  #tcpRulesRejected(rules: HttpBackendTcpRules, runner: HttpRuleRunner): boolean {
    const outcome = runHttpTcpRules(rules, runner);
    if (outcome === 'accept') return false;
    runner.silentDrop = outcome === 'drop';
    this.#reject(runner);
    return true;
  }

  /**
   * `tcp-response content reject`: the response is aborted both ways without an answer
   * (HAProxy's tcp_inspect_response: denied_resp counted, logged PD); `silent-drop` as in
   * http-response rules (a denied request, PR, the client reset).
   */
  #rejectedResponse(rules: HttpBackendTcpRules): boolean {
    const runner = this.#ruleRunner();
    runner.chosenServer = this.#leg.server as Server;
    const outcome = runHttpTcpRules(rules, runner);
    if (outcome === 'accept') return false;
    if (outcome === 'drop') {
      this.#dropServer()?.reset();
      runner.silentDrop = true;
      this.#reject(runner);
      return true;
    }
    this.host.counters.dresp++;
    addToListener(this.connection.listenerCounters, 'dresp');
    (this.backend as Backend).counters.dresp++;
    this.#dropServer()?.reset();
    this.setTermination('P', 'D');
    this.log();
    this.#side.destroy();
    return true;
  }

  /**
   * An `http-response` rule answered instead of the server (deny, return, redirect): the
   * server's answer is dropped with its connection (its body will not be read) and the reply
   * goes to the client.
   */
  #replaceResponse(rules: HttpRuleRunner): void {
    // `http-response silent-drop`: HAProxy counts a denied request and logs PR, even here.
    if (rules.rejected === true) {
      rules.rejected = false;
      this.#dropServer()?.reset();
      return this.#reject(rules);
    }
    const reply = rules.reply as LocalReply;
    const denied = rules.denied;
    const failedRewrite = this.#countRewriteError(rules);
    rules.reply = undefined;
    rules.denied = false;
    this.#dropServer()?.reset();
    // HAProxy: an http-response deny is a denied response (PH), a return or redirect local (LH).
    if (denied) {
      this.host.counters.dresp++;
      addToListener(this.connection.listenerCounters, 'dresp');
      (this.backend as Backend).counters.dresp++;
    }
    this.setTermination(denied || failedRewrite ? 'P' : 'L', 'H');
    this.#sendLocalReply(reply);
  }

  /**
   * Failed rewrites (HAProxy's failed_rewrites) and, in strict mode, the internal error of the
   * 500 that follows, on the frontend, the chosen backend and, once a server answered, that
   * server (http_ana.c counts its target server too).
   */
  #countRewriteError(rules: HttpRuleRunner): boolean {
    const server = this.#resHeadAt >= 0 ? (this.#leg.server as Server | undefined)?.counters : undefined;
    countRewrites(this.host.counters, this.#countedInBackend ? (this.backend as Backend).counters : undefined, rules, server, this.connection.listenerCounters);
    return rules.rewriteError;
  }

  /**
   * Sends a response the proxy built (local reply, error page) after the `http-after-response`
   * rules, which see every response (HAProxy's http_eval_after_res_rules); counts its status.
   * Without such rules the reply goes out as it was prepared once (the HTTP/1 mux writes its
   * shared pre-encoded bytes, an HTTP/2 stream takes its head read once). With them, its head
   * (read once, shared) is edited, and the mux's connection header comes after what they
   * added, as HAProxy's H1 mux writes it at the end of the head.
   */
  #writeGenerated(reply: LocalReply, connection: ReplyConnection): void {
    this.#requestAnalysed = true;
    const headOnly = this.#req?.method === 'HEAD';
    if (!hasAfterResponseRules(this.#frontendRules, this.#countedInBackend ? this.#backendRules : undefined)) {
      this.#countStatus(reply.status);
      this.#bytesOut += this.#side.sendReply(reply, connection, headOnly);
      return;
    }
    const head = reply.responseHead(ReplyConnection.omitted);
    const editor = this.#editor.begin(head);
    const rules = this.#ruleRunner();
    rules.applyAfterResponse(this.#req, head, editor, this.#countedInBackend ? this.#backendRules : undefined, true);
    this.#countStatus(rules.responseStatus ?? head.status);
    this.#bytesOut += this.#side.sendEditedReply(editor, reply.connectionValue(connection), headOnly ? EMPTY : reply.payload);
  }

  /** The status the client gets, for the log and the counters. */
  #countStatus(status: number): void {
    this.#status = status;
    countResponse(this.host.counters, status);
    if (this.#countedInBackend) countResponse((this.backend as Backend).counters, status);
  }

  /** Writes a reply the proxy built, then keeps the connection for the next request or closes it. */
  #sendLocalReply(page: LocalReply): void {
    const reply = this.#proxyReply(page);
    const close = reply.closes || !this.#reqBodyDone || this.#side.lastTransaction;
    this.#writeReply(reply, close);
    this.log();
    this.#endTransaction();
    this.#side.transactionEnded(close);
  }

  /** A built-in error page gives way to the proxies' errorfile for its status (HAProxy's http_error_message). */
  #proxyReply(reply: LocalReply): LocalReply {
    if (!reply.isErrorPage) return reply;
    const backend = this.#countedInBackend ? this.backend?.model : undefined;
    // An `http-error` log-format reads the request: through the rules' context while it holds
    // the request (with the rules' edits), else the stream's.
    const rules = this.#rules;
    return proxyErrorReply(reply.status, this.host.model, backend, rules?.lbHead !== undefined ? rules : this) ?? reply;
  }

  /** Writes a reply the proxy built. An empty errorfile answers nothing (the connection closes); a HEAD gets no payload. */
  #writeReply(reply: LocalReply, close: boolean): void {
    const connection = this.#side.replyConnection(this.#req, close);
    if (reply.encode(connection).byteLength === 0) return this.#countStatus(reply.status);
    this.#writeGenerated(reply, connection);
  }

  // ---- the server leg ----------------------------------------------------------------------

  /** The transaction's place in the queues, as its rules set it (`set-priority-class|offset`). */
  get priorityClass(): number {
    return this.#rules?.priorityClass ?? 0;
  }
  get priorityOffset(): number {
    return this.#rules?.priorityOffset ?? 0;
  }

  granted(server: Server): void {
    this.#side.now = this.runtime.now();
    this.#leg.granted(server);
  }

  /** BackendClient: the backend ends the session (`on-marked-down shutdown-sessions`). */
  kill(cause?: 'K' | 'D' | 'U'): void {
    this.#side.kill(cause);
  }

  legScheduled(): void {
    this.#side.schedule();
  }

  /** ServerLegOwner: a `redir` server's 302 for GET and HEAD (the method the client sent, as HAProxy's SF_REDIRECTABLE). */
  serverRedirect(server: Server): boolean {
    const req = this.#req;
    const method = req?.receivedMethod;
    if (req === undefined || (method !== 'GET' && method !== 'HEAD')) return false;
    const reply = serverRedirectReply(server.redirectPrefix as string, req.target);
    if (reply === undefined) return false;
    this.setTermination('L', 'C');
    this.#sendLocalReply(reply);
    return true;
  }

  serverUnreachable(cause: TerminationCause, phase: TerminationPhase): void {
    this.fail(503, cause, phase);
  }

  /** http_return_srv_error for STRM_ET_CONN_OTHER: HAProxy's 500. */
  serverInternalError(): void {
    this.fail(500, 'I', 'C');
  }

  /** ServerLegOwner: the server of a connection this client session holds, for `option prefer-last-server`. */
  sessionServer(accepts: (server: Server) => boolean): Server | undefined {
    return this.#existingPrivateConns()?.firstServer(accepts) ?? existingSessionMuxConns(this.connection)?.firstServer(accepts);
  }

  /** An idle keep-alive connection to `server` this request may ride (HAProxy's http-reuse). */
  idleConnection(server: Server): Socket | undefined {
    // The session's own connections first, whatever the reuse mode (connect_server).
    const key = connectionKey(server, this);
    const conn = existingSessionMuxConns(this.connection)?.find(server, key) ?? this.#existingPrivateConns()?.take(server, key) ?? (server.direct === undefined ? this.host.pools(this.backend as Backend).take(server, this.#reuseScope(), key) : undefined);
    if (conn === undefined) return undefined;
    // An HTTP/2 connection carries this request on a new stream of its own.
    const ridden = rideConnection(conn, this);
    this.#attach(ridden, true);
    this.#shareServerConnection(ridden.socket, server, false);
    return ridden.socket;
  }

  serverConnected(socket: Socket, reused: boolean): void {
    this.#side.now = this.runtime.now();
    // HTTP/2 servers (`proto h2`, ALPN h2) are reached through their mux, which speaks HTTP/1 to the stream.
    if (!reused) {
      const server = this.#leg.server as Server;
      const key = connectionKey(server, this);
      const muxed = serverMux(socket, server, this, this.runtime, isWebsocketRequest(this.#req), this.backend, key);
      this.#attach({ socket: muxed, server, uses: 0, idleSince: 0, key }, false);
      this.#shareServerConnection(muxed, server, true);
    }
    this.#sendRequest();
  }

  /** An HTTP/2 connection may carry other streams meanwhile, as `http-reuse` allows (src/mux/h2-server.ts). */
  #shareServerConnection(socket: Socket, server: Server, fresh: boolean): void {
    const backend = this.backend;
    // Checked first: an HTTP/1 server connection (the usual case) costs no lookup nor closure per request.
    if (backend === undefined || !isHttp2ServerStream(socket)) return;
    const pool = isPrivate(backend, server) ? undefined : this.host.pools(backend);
    shareServerConnection(socket, backend.http?.reuse ?? 'safe', pool, () => sessionMuxConns(this.connection), fresh);
  }

  /**
   * HAProxy's http-reuse: which idle connections this request may ride. A session's later
   * requests may take any; its first takes none with `safe`, only connections that carried two
   * requests or more with `aggressive`, and any with `always`.
   */
  /**
   * HAProxy's TX_NOT_FIRST: the client may send this request again if the connection or stream
   * ends without an answer. A connection's later requests; every stream of an HTTP/2 connection
   * (its H2 mux marks each SE_FL_NOT_FIRST).
   */
  get #notFirst(): boolean {
    return this.#side.requests > 1 || this.connection.http2;
  }

  #reuseScope(): ReuseScope {
    const later = this.#notFirst;
    switch (this.backend?.http?.reuse ?? 'safe') {
      case 'never':
        return 'none';
      case 'safe':
        return later ? 'idle-first' : 'none';
      case 'aggressive':
        return later ? 'idle-first' : 'safe';
      case 'always':
        return later ? 'idle-first' : 'safe-first';
    }
  }

  #attach(conn: PooledConnection, reused: boolean): void {
    const backend = this.backend;
    this.#exchange.attach(conn, reused, backend !== undefined && !isPrivate(backend, conn.server), backend?.model.options.acceptInvalidResponse === true);
  }

  /** The server connection of the exchange, while there is one. */
  get #server(): Socket | undefined {
    return this.#exchange.socket;
  }

  /** Forgets the server connection of the exchange, which the caller closes. */
  #dropServer(): Socket | undefined {
    return this.#exchange.detach();
  }

  #sendRequest(): void {
    const server = this.#server as Socket;
    this.#requestSentAt = this.#side.now;
    this.#serverLast = this.#requestSentAt;
    const serverName = (this.backend as Backend).model.sendNameHeader;
    const target = this.#leg.server as Server;
    // HAProxy's HTTP/2 mux writes no server name (a direct target has none).
    let head = serverName === undefined || target.direct !== undefined || isHttp2ServerStream(server) ? this.#reqHeadBytes : withServerName(this.#reqHeadBytes, serverName, target);
    // `option h1-case-adjust-bogus-server`: the HTTP/1 mux's spelling (not HTTP/2's, not FastCGI's).
    const headerCase = (this.backend as Backend).headerCase;
    if (headerCase !== undefined && !(server instanceof MuxedServerSocket)) head = headerCase.adjust(head);
    (this.backend as Backend).counters.bin += head.byteLength;
    const built = this.#reqHeadBuilt;
    let flowing = built !== undefined && server instanceof H2ServerStream ? server.writeRequestHead(built) : server.write(head);
    const held = this.#heldRequest;
    if (held.wireBytes > 0) {
      this.#reqBodyStarted = true;
      (this.backend as Backend).counters.bin += held.wireBytes;
      (this.#leg.server as Server).counters.bin += held.wireBytes;
      for (const chunk of held.take()) flowing = server.write(chunk);
    }
    if (!flowing) this.#side.holdRequest();
    else this.#side.releaseRequest();
    this.#side.schedule();
  }

  // ---- server socket events ----------------------------------------------------------------

  onData(socket: Socket, chunk: Uint8Array): void {
    if (socket !== this.#server) return;
    const side = this.#side;
    const now = (side.now = this.runtime.now());
    this.#serverLast = now;
    if (side.tunnelling) return this.#sendData(chunk);
    side.cork();
    this.#exchange.feed(chunk);
    // Resumed here, not from inside the exchange's read loop: the rules may drop the connection.
    if (this.#waitingResponse !== undefined && !side.closed) this.#resumeResponse();
    side.uncork();
  }

  /** An HTTP/2 server's response head, as its stream built it (not as bytes to parse again). */
  onResponseHead(socket: Socket, head: ResponseHead): void {
    if (socket !== this.#server) return;
    const side = this.#side;
    this.#serverLast = side.now = this.runtime.now();
    if (side.tunnelling) return this.#sendData(head.raw);
    side.cork();
    this.#exchange.feedHead(head);
    if (this.#waitingResponse !== undefined && !side.closed) this.#resumeResponse();
    side.uncork();
  }

  onDrain(socket: Socket): void {
    if (socket !== this.#server) return;
    this.#serverLast = this.#side.now = this.runtime.now();
    this.#side.releaseRequest();
  }

  onEnd(socket: Socket): void {
    if (socket !== this.#server) return;
    this.#side.now = this.runtime.now();
    this.#exchange.ended = true;
    if (this.#side.tunnelling) return this.#side.shutdown();
    if (this.#side.closed || this.#exchange.done) return;
    // The server finished sending: what it sent is all there will be.
    this.#serverGone(undefined);
  }

  onClose(socket: Socket, error: SocketError | undefined): void {
    if (socket !== this.#server) return;
    this.#side.now = this.runtime.now();
    if (this.#side.tunnelling) {
      this.#exchange.detach();
      return this.#side.shutdown();
    }
    if (this.#side.closed) return;
    this.#serverGone(error);
  }

  // ---- what the client side tells ----------------------------------------------------------

  /** The client can take more: a server paused for it resumes. */
  clientDrained(): void {
    if (this.#serverHeld) {
      this.#serverHeld = false;
      this.#server?.resume();
    }
  }

  /** The client cannot take more for now: pause the server. */
  clientBlocked(): void {
    if (this.#server !== undefined) {
      this.#serverHeld = true;
      this.#server.pause();
    }
  }

  /** The client half-closed during the transaction (HAProxy does not forward the FIN). */
  clientEnded(): void {
    if (this.#side.tunnelling) {
      this.#server?.end();
      return;
    }
    if (!this.#reqBodyDone) {
      if (this.#bodyWait === 'request') {
        // HAProxy stops waiting for a body that can no longer come and lets the analysers go
        // on (rules, backend choice); the stream then ends before any server, logged CR.
        this.#clientShut = true;
        this.setTermination('C', 'R');
        return this.#analyse();
      }
      // The body can never be completed: the client gave up mid-request. HAProxy closes
      // without an answer and logs CD whether or not the response started.
      this.host.counters.ereq++;
      addToListener(this.connection.listenerCounters, 'ereq');
      this.setTermination('C', 'D');
      this.log();
      this.#side.destroy();
      return;
    }
    if (this.#resHead === undefined && this.#countedInBackend && this.host.model.options.abortOnClose === true && (this.backend as Backend).model.options.abortOnClose === true) {
      this.#abortOnClose();
    }
  }

  /**
   * `option abortonclose` and a client FIN before the response (HAProxy's back_may_abort_req,
   * back_handle_st_con and the shutdown it forwards): a request still queued, between retries or
   * connecting is given up without an answer (CQ / CC); one the server holds gets the FIN, and
   * a server that then closes without answering ends it with a 400 (CH, http_wait_for_response).
   * Without the option the request is served and the connection closes after it. HAProxy needs
   * it on the frontend too (inherited from defaults, or a listen): only then does its H1 mux keep
   * reading a client whose request is complete (CO_RFL_KEEP_RECV), and so see the FIN at all.
   */
  #abortOnClose(): void {
    const step = this.#leg.step;
    if (step === 'queued' || step === 'turnaround' || step === 'connecting') {
      // Leaving the queue by the abort still ends the queue time (%Tw).
      if (step === 'queued') this.#leg.assignedAt = this.#side.now;
      this.setTermination('C', step === 'queued' ? 'Q' : 'C');
      this.log();
      this.#side.destroy();
      return;
    }
    if (step === 'connected' && this.#server !== undefined && this.#reqBodyDone) {
      this.#finForwarded = true;
      this.#server.end();
    }
  }

  /**
   * The client connection closed while the transaction was in flight, or (`streamReset`) the
   * client reset its HTTP/2 stream.
   */
  clientAborted(streamReset = false): void {
    if (this.#bodyWait === 'request' && !this.#reqBodyDone && !this.#clientShut && !streamReset) {
      // As for a FIN (clientEnded): HAProxy's wait for the body ends on a read error too, and
      // the analysers go on to the end of the request, logged CR. (Not for an HTTP/2 stream's
      // reset: the stream lives on there and would answer; not compared with HAProxy yet.)
      this.#clientShut = true;
      this.setTermination('C', 'R');
      this.#analyse();
      // Ended there (#endAborted), unless an analyser still waits for something.
      if (this.#side.closed) return;
    }
    this.#rules?.names?.release();
    if (this.#side.tunnelling) return this.log();
    this.host.counters.ereq += this.#resHead === undefined && !this.#reqBodyDone ? 1 : 0;
    addToListener(this.connection.listenerCounters, 'ereq', this.#resHead === undefined && !this.#reqBodyDone ? 1 : 0);
    const waiting = this.#tarpitReply !== undefined ? 'T' : this.#leg.step === 'queued' ? 'Q' : this.#leg.step === 'connected' ? 'H' : 'C';
    this.setTermination('C', this.#resHead === undefined ? waiting : 'D');
    this.log();
  }

  /** Client bytes after a 101. */
  tunnelFromClient(chunk: Uint8Array): void {
    const server = this.#server;
    if (server === undefined) return;
    if (!this.#serverIndependent()) this.#serverLast = this.#side.now;
    if (!server.write(chunk)) this.#side.holdRequest();
  }

  /**
   * Keeps an invalid request for `show errors` (HAProxy's h1_capture_bad_message): refused, or
   * let through by `option accept-invalid-http-request`. `attached`: the stream had its head (a
   * body error).
   */
  captureRequest(wire: CapturedWire, notFirst: boolean, attached: boolean): void {
    const backend = attached ? this.backend : undefined;
    const server = attached ? this.#leg.server : undefined;
    this.host.limits.errorCaptures.record(
      requestCapture({
        ...this.#captureCommon(wire),
        frontend: this.host.name,
        backend: backend?.name,
        server: server === undefined ? undefined : { name: server.name, id: server.id },
        notFirst,
        attached,
      }),
    );
  }

  /** Keeps an invalid response for `show errors`: refused, or let through by `option accept-invalid-http-response`. */
  captureResponse(wire: CapturedWire): void {
    const backend = this.backend;
    if (backend === undefined) return;
    const server = this.#leg.server;
    this.host.limits.errorCaptures.record(
      responseCapture({
        ...this.#captureCommon(wire),
        backend: backend.name,
        frontend: this.host.name,
        server: server === undefined ? undefined : { name: server.name, id: server.id },
        method: this.#req?.method ?? '',
      }),
    );
  }

  #captureCommon(wire: CapturedWire): CaptureCommon {
    const head = wire.head;
    return {
      bytes: wire.bytes,
      errorAt: wire.errorAt,
      refused: wire.refused,
      stateOf: head === undefined ? undefined : { bytes: head, at: head.byteLength },
      bufferOffset: wire.bufferOffset,
      valueError: wire.valueError,
      full: wire.full,
      sourceAddress: this.connection.clientAddress,
      sourcePort: this.connection.clientPort,
      when: this.runtime.wallClock(),
      bufsize: this.host.limits.buffers.size,
    };
  }

  /** The request head could not be parsed (the client side's parser said why). */
  badRequest(error: unknown): void {
    const status = error instanceof HttpParseError ? error.status : 400;
    this.host.counters.ereq++;
    addToListener(this.connection.listenerCounters, 'ereq');
    this.#req = undefined;
    this.fail(status, 'P', 'R');
  }

  /** The request body's framing is invalid. */
  badRequestBody(error: unknown): void {
    this.host.counters.ereq++;
    addToListener(this.connection.listenerCounters, 'ereq');
    if (this.#resHead === undefined) {
      this.fail(error instanceof HttpParseError ? error.status : 400, 'P', 'D');
    } else {
      this.setTermination('P', 'D');
      this.#side.destroy();
    }
  }

  // ---- server input ----------------------------------------------------------------------

  // ---- H1ServerEvents: the response, as the server-side mux reads it ---------------------

  interimResponse(head: ResponseHead): void {
    (this.#leg.server as Server).observer?.observe(Observed.httpOk);
    // 100 Continue and friends go to HTTP/1.1 clients as they are; 1.0 clients cannot take them.
    if ((this.#req as RequestHead).versionMinor === 1) this.#bytesOut += this.#side.sendInterim(head);
  }

  responseHead(head: ResponseHead): HeadOutcome {
    return this.#startResponse(head);
  }

  responseData(bytes: Uint8Array): void {
    if (this.#side.tunnelling) this.#sendData(bytes);
    else if (this.#waitingResponse !== undefined) this.#heldResponse.push(bytes);
    else this.#forwardResponseBody(bytes);
  }

  responseInvalid(error: unknown): void {
    this.#badResponse(error);
  }

  responseBodyInvalid(): void {
    // The response is already on its way: all we can do is cut it short.
    (this.backend as Backend).counters.eresp++;
    this.setTermination('S', 'D', false);
    this.#side.destroy();
  }

  responseComplete(): void {
    if (this.#waitingResponse !== undefined) this.#heldResponse.ended = true;
    else this.#maybeFinishTransaction();
  }

  /** The response rules, cookies and after-response rules, then the head to the client. */
  #startResponse(head: ResponseHead): HeadOutcome {
    const req = this.#req as RequestHead;
    // A 101 the client side cannot take (an extended CONNECT's wrong Sec-WebSocket-Accept): invalid (502).
    if (head.status === 101 && this.#side.acceptsUpgrade?.(head, this.#server instanceof H2ServerStream) === false) {
      this.#badResponse(undefined);
      return HeadOutcome.dropped;
    }
    if (head.status >= 400 && this.#canRetryOn(head.status)) {
      // `retry-on 5xx`: drop this answer (and its connection, whose body we will not read)
      // and try again, on another server for the last retry with `option redispatch`.
      this.#dropServer()?.reset();
      this.#retry(true);
      return HeadOutcome.dropped;
    }
    if (!head.chunked && head.has(H_TRANSFER_ENCODING) && head.status >= 200 && head.status !== 204 && head.status !== 304) {
      // A response body whose length is only known by decoding codings we do not apply
      // cannot be relayed safely (HAProxy answers 502).
      (this.backend as Backend).counters.eresp++;
      if (this.#observed(Observed.httpResponse)) this.fail(502, 'S', 'H');
      return HeadOutcome.dropped;
    }
    const observer = (this.#leg.server as Server).observer;
    if (observer !== undefined) {
      observer.observe(httpStatusEvent(head.status));
      if (this.#side.closed) return HeadOutcome.dropped;
    }
    this.#resHeadAt = this.#side.now;
    this.#captures?.captureResponse(head);
    const backend = this.backend as Backend;
    countResponse((this.#leg.server as Server).counters, head.status);
    // HAProxy counts a server's requests as its responses arrive (http_wait_for_response).
    (this.#leg.server as Server).counters.reqTot++;
    this.#rules?.stickTracking?.countHttpResponse(head.status, this.#side.now);
    // The backend's tcp-response content rules come first (AN_RES_INSPECT).
    const resTcpRules = this.#backendTcp(backend).response;
    if (resTcpRules !== undefined && this.#rejectedResponse(resTcpRules)) return HeadOutcome.dropped;
    // Stick rules record the server once its response head is in (HAProxy's AN_RES_STORE_RULES
    // after AN_RES_WAIT_HTTP), not at connect: a request that loops back to this proxy (a server
    // at 0.0.0.0 with mapped ports dials our own frontend) must not find its own entry yet.
    const persistence = backend.persistence;
    if (persistence !== undefined) {
      const server = this.#leg.server as Server;
      if (persistence.storesResponses) {
        // `stick store-response` reads the response (res.hdr, res.cook...) through the rules' context.
        const rules = this.#ruleRunner();
        rules.lbHead = req;
        rules.response = head;
        rules.chosenServer = server;
        persistence.stored(this, server, this.#side.now, rules);
        rules.response = undefined;
        rules.lbHead = undefined;
      } else {
        persistence.stored(this, server, this.#side.now);
      }
    }
    const editor = this.#editor.begin(head);
    // A 101 is the transaction's final response: its rules run too (HAProxy analyses every status but 100 and 102+).
    if (this.#frontendRules !== undefined || this.#backendRules !== undefined) {
      const rules = this.#ruleRunner();
      rules.chosenServer = this.#leg.server as Server; // srv_id, srv_name
      rules.rewriteRoom = rewriteRoom(this.host.limits.buffers, head, this.#exchange.bodyBytesWithHead);
      rules.serverTls = this.#server?.tls; // ssl_bc*, ssl_s_*
      this.#heldResponse.begin(head, false, req.method);
      const verdict = rules.applyResponse(req, head, editor, this.#backendRules);
      if (verdict === Verdict.reply) {
        this.#replaceResponse(rules);
        return HeadOutcome.dropped;
      }
      if (verdict === Verdict.yield) {
        // `wait-for-body`: the body is read and held; the rules resume after each server read.
        this.#waitingResponse = head;
        this.#exchange.startBody(head, req.method);
        if (this.#exchange.done) this.#heldResponse.ended = true;
        return HeadOutcome.body;
      }
      this.#countRewriteError(rules);
    }
    return this.#forwardResponseHead(head, req, editor, false);
  }

  /**
   * `option checkcache` caught a response a shared cache could keep with its server's cookie:
   * blocked as an `http-response deny` would (502, logged PH, denied_resp counted on the
   * frontend, listener, backend and server), with HAProxy's alert. HAProxy 2.6.12 sends its page
   * for the server's status instead of the 502 its manual describes (its deny path leaves
   * txn->status alone); Switchyard answers the documented 502.
   */
  #blockCacheableCookie(): void {
    const backend = this.backend as Backend;
    const server = this.#leg.server as Server | undefined;
    backend.eventLog?.alert(`Blocking cacheable cookie in response from instance ${backend.name}, server ${server?.name ?? '<dispatch>'}.`);
    this.host.counters.dresp++;
    addToListener(this.connection.listenerCounters, 'dresp');
    backend.counters.dresp++;
    if (server !== undefined) server.counters.dresp++;
    this.#dropServer()?.reset();
    this.setTermination('P', 'H');
    this.#sendLocalReply(errorPageReply(502));
  }

  /** The response rules resume once `wait-for-body` may be satisfied (after each server read). */
  #resumeResponse(): void {
    const head = this.#waitingResponse as ResponseHead;
    const req = this.#req as RequestHead;
    const rules = this.#rules as HttpRuleRunner;
    const verdict = rules.applyResponse(req, head, this.#editor, this.#backendRules);
    if (verdict === Verdict.yield) return;
    this.#waitingResponse = undefined;
    if (verdict === Verdict.reply) {
      this.#heldResponse.clear();
      return this.#replaceResponse(rules);
    }
    this.#countRewriteError(rules);
    if (this.#forwardResponseHead(head, req, this.#editor, true) === HeadOutcome.dropped) {
      this.#heldResponse.clear();
      return;
    }
    const held = this.#heldResponse;
    for (const chunk of held.take()) this.#forwardResponseBody(chunk);
    held.clear();
    this.#maybeFinishTransaction();
  }

  /** The response rules let the head through: cookies, after-response rules, then the head to the client. */
  #forwardResponseHead(head: ResponseHead, req: RequestHead, editor: HeadEditor, bodyStarted: boolean): HeadOutcome {
    const backend = this.backend as Backend;
    this.#resHead = head;
    // `set-status` in http-response rules: the client, the log and the counters see the new one.
    const status = this.#rules?.responseStatus ?? head.status;
    this.#status = status;
    countResponse(this.host.counters, status);
    countResponse(backend.counters, status);
    if (head.status === 101 && req.upgrade) {
      if (this.host.trafficLog.early) this.log(head);
      // As the server sent it, with what the response rules changed (srv_ws: set-header on a 101).
      this.#sendHead(editor.changed ? editor.build() : head.raw);
      this.#side.enterTunnel();
      return HeadOutcome.tunnel;
    }
    if (!bodyStarted) this.#exchange.startBody(head, req.method);
    // An HTTP/1.0 response with Transfer-Encoding goes out as it came, and RFC 9112 §6.1 tells
    // the client its framing is faulty: close after it, as HAProxy does.
    if (this.#exchange.closeDelimited || (head.smuggleSuspect && head.versionMinor === 0)) this.#side.closeAfter = true;
    // `option checkcache` reads the server's cookies as the rules left them, before persistence adds its own.
    const checkCookie = backend.model.options.checkCache === true && setsCookie(head, editor);
    this.#side.prepareResponseHead(req, head, editor);
    const cookie = backend.persistence?.cookie;
    let madePrivate = false;
    if (cookie !== undefined) {
      const srv = this.#leg.server as Server;
      madePrivate = cookie.response(head, editor, this.#cookieTxn as CookieTxn, srv, this.#leg.persistTo === srv, req, this.#wallSeconds());
    }
    if (checkCookie && !madePrivate && responseCacheability(req, head) === Cacheability.withCookies) {
      this.#blockCacheableCookie();
      return HeadOutcome.dropped;
    }
    if (hasAfterResponseRules(this.#frontendRules, this.#backendRules)) {
      const rules = this.#ruleRunner();
      rules.applyAfterResponse(req, head, editor, this.#backendRules, false);
      this.#countRewriteError(rules);
      this.#status = rules.responseStatus ?? this.#status;
    }
    if (this.#filters !== undefined) {
      if (this.#filters.responseHead(req, head, editor)) this.#compression = this.#filters.compression;
      else this.#filters = undefined;
    }
    // `option logasap`, or a format with nothing to wait for: HAProxy logs once the response
    // analysers let the head through (the end of http_process_res_common: after the response
    // and after-response rules, and the filters' look at the head: `res.comp` is known), with
    // the bytes received so far.
    if (this.host.trafficLog.early) this.log(head);
    this.#bytesOut += this.#side.sendResponseHead(editor);
    return HeadOutcome.body;
  }

  #forwardResponseBody(bytes: Uint8Array): void {
    if (this.#filters !== undefined && (bytes = this.#filters.wire(bytes)).byteLength === 0) return;
    const backend = this.backend as Backend;
    backend.counters.bout += bytes.byteLength;
    (this.#leg.server as Server).counters.bout += bytes.byteLength;
    // A HEAD that rules turned into another method (`set-method GET`): the server's body is read, never sent (HAProxy's bodyless response).
    if ((this.#req as RequestHead).receivedMethod === 'HEAD') return;
    this.#sendData(bytes);
  }

  /** The response filters' last bytes (a compressed body's end and the last chunk). */
  #forwardFiltersEnd(filters: ResponseFilterChain): void {
    const tail = filters.finish();
    if (tail.byteLength === 0) return;
    (this.backend as Backend).counters.bout += tail.byteLength;
    (this.#leg.server as Server).counters.bout += tail.byteLength;
    this.#sendData(tail);
  }

  #sendData(bytes: Uint8Array): void {
    this.#bytesOut += bytes.byteLength;
    this.#side.sendData(bytes);
  }

  /** A head the stream wrote itself (with the body of a generated reply after it). */
  #sendHead(bytes: Uint8Array): void {
    this.#bytesOut += bytes.byteLength;
    this.#side.sendHead(bytes);
  }

  // ---- end of a transaction --------------------------------------------------------------

  #maybeFinishTransaction(): void {
    if (!this.#exchange.done || this.#req === undefined || this.#side.tunnelling) return;
    const res = this.#resHead as ResponseHead;
    const req = this.#req;
    // A client still uploading a body the server did not wait for cannot be resynchronised.
    if (!this.#reqBodyDone) this.#side.closeAfter = true;
    // A connection we half-closed (abortonclose) can carry nothing more.
    const keepAlive = this.#mode === 'keep-alive' && this.#reqBodyDone && !this.#finForwarded && res.keepAlive && !res.mustClose && !req.mustClose;
    if (this.#filters !== undefined) this.#forwardFiltersEnd(this.#filters);
    this.log();
    const backend = this.backend;
    const pool = backend === undefined ? undefined : isPrivate(backend, this.#leg.server) ? this.#privateConnsStore() : this.host.pools(backend);
    this.#exchange.finish(pool, keepAlive, this.#serverHeld);
    this.#endTransaction();
    this.#side.transactionEnded(false);
  }

  /** Releases the transaction's server slot and clears its fields. */
  #endTransaction(): void {
    // A stream ending while its rules wait for a name leaves the resolution (src/dns/stream-resolution.ts).
    this.#rules?.names?.release();
    this.#rules?.stickTracking?.endStream(this.#reqBytes, this.#bytesOut, this.#side.now);
    if (this.#countedInBackend) this.#countTimes(this.backend as Backend);
    this.#leg.finish();
    if (this.#countedInBackend) {
      (this.backend as Backend).sessionLeft();
      this.#countedInBackend = false;
    }
    this.#req = undefined;
    this.#lbView = undefined;
    this.#tarpitReply = undefined;
    this.#backendRules = undefined;
    if (this.#rules !== undefined) this.#rules.logLevel = undefined;
    this.#analysing = false;
    this.#reqHeadBytes = EMPTY;
    this.#reqHeadBuilt = undefined;
    this.#requestAnalysed = false;
    this.#heldRequest.clear();
    this.#stage = Stage.idle;
    this.#direct = undefined;
    this.#bodyWait = undefined;
    this.#bodyWaitUntil = -1;
    this.#clientShut = false;
    this.#finForwarded = false;
    this.#service = undefined;
    this.#serviceCalls++;
    // An entry whose payload did not arrive whole is dropped (src/cache/).
    this.#rules?.caching?.txn.reset();
    this.#serverTimeout = undefined;
    this.#tunnelTimeout = undefined;
    if (this.#waitingResponse !== undefined) {
      this.#waitingResponse = undefined;
      this.#heldResponse.clear();
    }
    this.#resHead = undefined;
    this.#filters?.release();
    this.#filters = undefined;
    this.#compression = undefined;
    this.#serverHeld = false;
    this.#reqStartedAt = -1;
    this.#reqHeadAt = -1;
    this.#requestSentAt = -1;
    this.#resHeadAt = -1;
    this.#status = 0;
    this.#bytesOut = 0;
    this.#cause = '-';
    this.#phase = '-';
    this.#streamId = -1;
    this.#reqBytes = 0;
    this.#uniqueId?.reset();
    this.#editor.end();
  }

  /** The connection is torn down: the server connection is reset and the transaction cleared. */
  abort(): void {
    this.#privateConns?.closeAll();
    this.#dropServer()?.reset();
    this.#endTransaction();
    this.#rules?.stickTracking?.endSession(this.#side.now);
    this.#exchange.release();
  }

  /** Wall-clock UNIX seconds (persistence cookie dates). */
  #wallSeconds(): number {
    return Math.floor(this.runtime.wallClock() / 1000);
  }

  // ---- errors the proxy answers ----------------------------------------------------------

  #badResponse(error: unknown): void {
    void error;
    (this.backend as Backend).counters.eresp++;
    if (this.#leg.server !== undefined) this.#leg.server.counters.eresp++;
    // HAProxy judges a junk response before retrying it.
    if (!this.#observed(Observed.httpHeaders)) return;
    if (this.#canRetryOn('junk-response')) {
      this.#dropServer()?.reset();
      return this.#retry(true);
    }
    this.fail(502, 'S', 'H');
  }

  /**
   * Ends the transaction with a generated response (when none was started), then closes the
   * client connection, as HAProxy does after an error. `log` false: the response is sent but
   * not logged (`dontlognull`).
   */
  fail(status: number, cause: TerminationCause, phase: TerminationPhase, log = true): void {
    this.setTermination(cause, phase);
    // An abandoned exchange: reset, as HAProxy does (SO_LINGER 0), so the server stops at once.
    this.#dropServer()?.reset();
    if (this.#resHead === undefined && !this.#side.closed) {
      // Once the request reached the analysers, HAProxy answers through its stream: the proxies'
      // errorfile, else the built-in page as its HTX layer sends it. Before that its H1 mux
      // answers with the raw built-in page, or nothing when the frontend's errorfile is empty.
      const reply = this.#analysing ? this.#proxyReply(errorPageReply(status)) : undefined;
      const silent = reply === undefined && frontendAnswersNothing(this.host.model, status);
      // HAProxy keeps the connection after the errors it generates (502/503/504...), except
      // 400/408, or when the rest of the request cannot be told apart from the next one.
      const close =
        (reply === undefined ? silent || errorClosesConnection(status) : reply.closes) ||
        this.#req === undefined || !this.#reqBodyDone || this.#side.lastTransaction;
      if (reply !== undefined) {
        this.#writeReply(reply, close);
      } else {
        // The H1 mux's own answer (no stream yet): no http-after-response rules, as HAProxy; its
        // raw bytes, which `h1-case-adjust` does not touch either (h1_send_error copies them).
        this.#countStatus(status);
        if (!silent) this.#sendData(errorResponse(status, close));
      }
      if (log) this.log();
      this.#endTransaction();
      this.#side.transactionEnded(close);
      return;
    }
    this.log();
    this.#side.destroy();
  }

  /** The server closed (or half-closed) its side while the transaction needed it. */
  #serverGone(error: SocketError | undefined): void {
    const exchange = this.#exchange;
    if (exchange.done) return;
    if (this.#waitingResponse !== undefined) {
      // The server stopped while the rules waited for its body: a close-delimited body is all
      // there is; any other is cut short.
      if (exchange.closeDelimited && error === undefined) {
        exchange.endOfBody();
        this.#heldResponse.ended = true;
        return this.#resumeResponse();
      }
      (this.backend as Backend).counters.eresp++;
      this.#waitingResponse = undefined;
      // HAProxy's wait for a body (http_wait_for_msg_body) counts no abort.
      this.setTermination('S', 'D', false);
      return this.fail(502, 'S', 'D');
    }
    if (this.#resHead === undefined && this.#finForwarded) {
      // It closed after the client's FIN that abortonclose passed on: the client's abort.
      this.#dropServer()?.destroy();
      return this.fail(400, 'C', 'H');
    }
    if (this.#resHead === undefined) {
      // Closed before answering. A reused idle connection may have been closed by the server
      // just as we sent: retry once on a fresh connection when nothing of the body was sent.
      // (an HTTP/2 stream the server reset saw the request: not a silent close)
      const silent = exchange.bytesReceived === 0 && !isStreamReset(error);
      const reused = exchange.reused;
      this.#dropServer()?.destroy(); // it may only have half-closed; its onClose is now ignored
      if (reused && !this.#reqBodyStarted && silent) return this.#leg.reconnect();
      if (this.#canRetryOn('empty-response')) return this.#retry(false);
      if (this.#notFirst && silent) {
        // HAProxy's abort_keep_alive: the client may send it again, so it gets no answer (an
        // HTTP/1 connection closed, an HTTP/2 stream refused), and the attempt is neither
        // logged nor counted as a failed response.
        this.setTermination('S', 'H');
        this.#endTransaction();
        return this.#side.transactionEnded(true);
      }
      (this.backend as Backend).counters.eresp++;
      const srv = this.#leg.server as Server;
      this.fail(502, 'S', 'H');
      // Reported once the session left the server, as HAProxy does once the connection closed
      // ("0 sessions active" in the DOWN line; no on-marked-down kill reaches this session).
      srv.observer?.observe(error === undefined ? Observed.httpBrokenPipe : Observed.httpReadError);
      return;
    }
    if (exchange.closeDelimited && error === undefined) {
      exchange.endOfBody();
      return this.#maybeFinishTransaction();
    }
    (this.backend as Backend).counters.eresp++;
    this.setTermination('S', 'D');
    this.log();
    this.#side.destroy();
  }

  // ---- retries ---------------------------------------------------------------------------

  #canRetryOn(event: 'empty-response' | 'junk-response' | 'response-timeout' | number): boolean {
    const retryOn = this.backend?.http?.retryOn;
    const req = this.#req;
    if (retryOn === undefined || req === undefined || this.#rules?.l7RetryDisabled === true) return false;
    if (typeof event === 'number') {
      if (!(retryOn as readonly string[]).includes(String(event))) return false;
    } else if (!retryOn.includes(event)) return false;
    // Only requests that can be replayed whole and safely.
    return !this.#reqBodyStarted && this.#reqBodyDone && isIdempotent(req.method) && this.#leg.retries < (this.backend as Backend).retries;
  }

  /**
   * Tells `observe` (passive health checks) what the server did. False when that ended this
   * session: the server went DOWN with `on-marked-down shutdown-sessions`.
   */
  #observed(event: ObservedEvent): boolean {
    this.#leg.server?.observer?.observe(event);
    return !this.#side.closed;
  }

  /** Lets the leg try again (`retry-on`); the failed exchange was detached from its connection. */
  #retry(timedOut: boolean): void {
    this.#leg.retry(timedOut);
  }

  // ---- timeouts --------------------------------------------------------------------------

  /** When the transaction in flight has something to expire. */
  deadline(): number | undefined {
    if (this.#tarpitReply !== undefined) return this.#tarpitUntil;
    let due = this.#resHead === undefined && this.#reqBodyDone ? undefined : this.#side.clientDeadline();
    if (this.#bodyWaitUntil >= 0) due = earliest(due, this.#bodyWaitUntil);
    if (this.#server !== undefined) {
      const s = this.#serverTimeout;
      if (s !== undefined && !this.#serverHeld) due = earliest(due, this.#serverLast + s);
      return due;
    }
    return earliest(due, this.#leg.deadline());
  }

  /** After a 101: `timeout tunnel`, else the client's, else the server's, since the last byte either way. */
  tunnelDeadline(clientLast: number, clientTimeout: number | undefined): number | undefined {
    const t = this.#tunnelTimeout ?? clientTimeout ?? this.#serverTimeout;
    if (t === undefined) return undefined;
    // With independent streams on either side, each side's timeout runs from its own activity.
    const independent = this.host.model.options.independentStreams === true || this.#serverIndependent();
    return (independent ? Math.min(clientLast, this.#serverLast) : Math.max(clientLast, this.#serverLast)) + t;
  }

  /** The backend's `option independent-streams`: tunnel bytes sent to the server do not refresh its timeout. */
  #serverIndependent(): boolean {
    return this.backend?.model.options.independentStreams === true;
  }

  /** The transaction's deadline passed (the client side checked it). */
  expire(now: number): void {
    const tarpitted = this.#tarpitReply;
    if (tarpitted !== undefined) {
      this.#tarpitReply = undefined;
      this.setTermination('P', 'T');
      return this.#sendLocalReply(tarpitted);
    }
    const clientDue = this.#resHead === undefined && this.#reqBodyDone ? undefined : this.#side.clientDeadline();
    if (this.#bodyWait !== undefined && this.#bodyWaitExpired(now, clientDue)) return;
    if (clientDue !== undefined && now >= clientDue) {
      if (this.#resHead === undefined) return this.fail(408, 'c', this.#server !== undefined ? 'D' : 'C');
      this.setTermination('c', 'D');
      this.log();
      return this.#side.destroy();
    }
    if (this.#server === undefined) {
      this.#leg.expire(now);
      return;
    }
    // The server's deadline passed (`timeout server`).
    (this.backend as Backend).counters.eresp++;
    if (this.#resHead === undefined) {
      if (this.#canRetryOn('response-timeout')) {
        (this.#dropServer() as Socket).destroy();
        return this.#retry(true);
      }
      const srv = this.#leg.server as Server;
      this.fail(504, 's', 'H');
      // As for a closed connection: HAProxy reports it once the session left the server.
      srv.observer?.observe(Observed.httpReadTimeout);
      return;
    }
    this.setTermination('s', 'D');
    this.log();
    this.#side.destroy();
  }

  /**
   * A wait for the body timed out (HAProxy's http_wait_for_msg_body): its own time, or the
   * client's (request) or the server's (response) inactivity timeout: 408 and the client
   * connection closes, or 504.
   */
  #bodyWaitExpired(now: number, clientDue: number | undefined): boolean {
    const own = this.#bodyWaitUntil >= 0 && now >= this.#bodyWaitUntil;
    if (this.#bodyWait === 'request') {
      if (!own && (clientDue === undefined || now < clientDue)) return false;
      this.host.counters.ereq++;
      addToListener(this.connection.listenerCounters, 'ereq');
      this.#side.closeAfter = true;
      // HAProxy 2.6 logs it cR. The frontend's waits (`option http-buffer-request`,
      // `wait-for-body`) come before http_process_request took the request's time: no %TR;
      // the wait of `balance url_param` comes after it.
      if (this.#stage !== Stage.balanceBody) this.#reqHeadAt = -1;
      this.fail(408, 'c', 'R');
      return true;
    }
    const serverTimeout = this.#serverTimeout;
    if (!own && (serverTimeout === undefined || now < this.#serverLast + serverTimeout)) return false;
    (this.backend as Backend).counters.eresp++;
    // HAProxy's stream_inc_http_fail_ctr.
    this.#rules?.stickTracking?.countEvent('http_fail', 1, now);
    // The response was read whole (its connection is dropped): the client's connection stays, as HAProxy's.
    this.fail(504, 's', 'D');
    return true;
  }

  /** The transaction's durations in its backend's and server's averages (stream_update_time_stats). */
  #countTimes(backend: Backend): void {
    const leg = this.#leg;
    const at = this.#side.idleSince;
    const server = leg.server;
    countStreamTimes(true, backend.counters.timeStats, backend.counters.reqTot, server?.counters.timeStats, server?.counters.reqTot ?? 0,
      elapsed(this.#reqHeadAt, at), elapsed(leg.assignedAt, at), elapsed(leg.connectedAt, at), elapsed(this.#resHeadAt, at), elapsed(this.#side.now, at));
  }

  // ---- logging ---------------------------------------------------------------------------

  /**
   * The first cause and phase stand. A client end once the backend has the request (its body
   * or the wait for the answer: D, H) or a server end during the answer's body (D) is an abort
   * in the stats, unless `abort` is false (a malformed body, the end of a body the rules held).
   */
  setTermination(cause: TerminationCause, phase: TerminationPhase, abort = true): void {
    if (this.#cause !== '-') return;
    this.#cause = cause;
    this.#phase = phase;
    if (!abort || !this.#countedInBackend) return;
    const byClient = cause === 'C' || cause === 'c';
    if (byClient ? phase === 'D' || phase === 'H' : (cause === 'S' || cause === 's') && phase === 'D') {
      countAbort(cause, (this.backend as Backend).counters, this.#leg.server?.counters);
    }
  }

  /**
   * One line per transaction, even if several paths end it. `early`: the response head that
   * just arrived (`option logasap`); the line then shows the stream as it is at that moment.
   */
  log(early?: ResponseHead): void {
    const log = this.host.trafficLog;
    if (!log.enabled) return;
    if (this.#streamId < 0) this.#streamId = this.host.limits.nextStreamId();
    if (this.#loggedStream === this.#streamId) return;
    this.#loggedStream = this.#streamId;
    // `set-log-level`: another level for this transaction's line, or none (`silent`, -1).
    log.emit(this.#record(early, log.count), this.#rules?.logLevel);
    this.#cookieTxn?.logged();
  }

  /** StreamContext: the transaction as it is now, for a rule's end-of-stream variables. */
  liveRecord(): LogRecord {
    return this.#record(undefined, this.host.trafficLog.count, true);
  }

  /**
   * The transaction's facts as HAProxy's strm_logs and txn, relative to the stream's accept.
   * `live`: while it runs (see StreamContext.liveRecord), not for its log line.
   */
  #record(early: ResponseHead | undefined, logCount: number, live = false): LogRecord {
    const host = this.host;
    const req = this.#req;
    const leg = this.#leg;
    const accepted = this.#side.idleSince;
    // HAProxy's H1 layer reports a request it could not parse itself (sess_log): no stream
    // bytes, idle counted from 0.
    const idle = elapsed(this.#reqStartedAt, accepted);
    const tIdle = req === undefined && idle < 0 ? 0 : idle;
    const server = this.#server;
    // A live record reads the server connection now; a line, from a connection it may have let go.
    const pins = (live || host.trafficLog.pinsServerAddress) && server !== undefined;
    // At the end HAProxy has released the backend and the server: only the connection counts.
    const final = early === undefined && !live;
    const contstats = host.model.options.contstats === true;
    // `set-src` / `set-dst` change the stream's addresses (the rules' context holds them).
    const addresses = this.#rules ?? this;
    return {
      mode: 'http',
      clientAddress: addresses.clientAddress,
      clientPort: addresses.clientPort,
      localAddress: addresses.localAddress,
      localPort: addresses.localPort,
      clientTls: this.connection.tls,
      connection: this.connection,
      serverTls: server?.tls,
      serverConnection: leg.connectionStatus,
      runtime: this.runtime, // `ssl_c_sha1` and the digest converters
      hostname: this.runtime.hostname,
      frontendName: host.name,
      pid: this.runtime.pid,
      lbHead: this.#requestLineUnseen ? undefined : req,
      acceptWall: this.acceptWall,
      streamId: this.#streamId,
      uniqueId: this.#uniqueId?.value,
      uniqueIdIfGenerated: this.#uniqueId?.value,
      stick: this.#rules?.stickTracking,
      lastRule: this.#rules?.lastRule,
      compression: this.#compression,
      // `%[var(txn.x)]`: the transaction's variables as the rules left them.
      vars: this.vars,
      captures: req === undefined ? undefined : this.#captures,
      // `be_server_timeout`, `cur_server_timeout`... as the transaction ended (0 before a backend
      // was chosen, as HAProxy 2.6.12 logs them).
      backendTimeouts: this.#countedInBackend ? (this.backend as Backend).timeouts : undefined,
      serverTimeout: this.#serverTimeout,
      tunnelTimeout: this.#tunnelTimeout,
      priorityClass: this.priorityClass,
      priorityOffset: this.priorityOffset,
      // Before a backend was chosen HAProxy logs the frontend in its place (fe/<NOSRV>).
      backendName: this.#countedInBackend ? (this.backend as Backend).name : host.name,
      serverName: this.#service?.logName ?? (this.#rules?.caching?.txn.hit !== undefined ? '<CACHE>' : undefined) ?? leg.lastServerName ?? '<NOSRV>',
      serverAddress: pins ? server.remoteAddress : undefined,
      serverPort: pins ? server.remotePort : undefined,
      sourceAddress: pins ? server.localAddress : undefined,
      sourcePort: pins ? server.localPort : undefined,
      tHandshake: 0,
      tIdle,
      tRequest: live && !this.#requestAnalysed ? -1 : elapsed(this.#reqHeadAt, accepted),
      tQueue: elapsed(leg.assignedAt, accepted),
      tConnect: elapsed(leg.connectedAt, accepted),
      tData: elapsed(this.#resHeadAt, accepted),
      tClose: live ? 0 : elapsed(early === undefined ? this.#side.now : this.#resHeadAt, accepted),
      status: this.#status === 0 ? (early !== undefined ? early.status : -1) : this.#status,
      // HAProxy counts a stream's bytes in its logs at its end (stream_process_counters), or as
      // they go with `option contstats`.
      bytesIn: live && !contstats ? 0 : this.#reqBytes,
      bytesOut: req === undefined || (live && !contstats) ? 0 : early !== undefined ? early.raw.byteLength : this.#bytesOut,
      termination: `${this.#cause}${this.#phase}`,
      cookieFlags: this.#cookieTxn === undefined || this.backend?.persistence?.cookie?.logsFlags !== true ? '--' : this.#cookieTxn.requestFlag + this.#cookieTxn.responseFlag,
      actconn: host.limits.current,
      feconn: host.counters.scur,
      beconn: (this.backend?.counters.scur ?? 0) - (final && this.#countedInBackend ? 1 : 0),
      srvconn: (leg.server?.active ?? 0) - (final && leg.holdsSlot ? 1 : 0),
      retries: leg.retries,
      redispatched: leg.redispatched,
      serverQueuePos: leg.queuePositions.server,
      backendQueuePos: leg.queuePositions.backend,
      logCount,
      plusUnfinished: live && !host.trafficLog.logsStreamEnd,
    };
  }
}

/** ms from `from` to `at`, -1 when `at` is -1 (a step not reached), as HAProxy's t_* fields. */
function elapsed(at: number, from: number): number {
  return at < 0 ? -1 : Math.round(at - from);
}

const L7_ALGORITHMS = new Set(['uri', 'url_param', 'hdr', 'hash']);

/** Whether choosing a server reads the request head: an L7 balance key, or persistence. */
function readsRequestHead(backend: Backend): boolean {
  return L7_ALGORITHMS.has(backend.model.balance.algorithm) || backend.persistence !== undefined;
}

function isIdempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'PUT' || method === 'DELETE' || method === 'TRACE';
}
