import type { HttpConnectionMode, Timeouts } from '../config/model.ts';
import { httpStatusEvent, Observed, type ObservedEvent } from '../health/observe.ts';
import type { Backend } from '../proxy/backend.ts';
import { countResponse, sessionOpened } from '../proxy/counters.ts';
import type { QueuePositions, Server } from '../proxy/server.ts';
import type { ProxySession, SessionHost } from '../proxy/session.ts';
import type { Runtime, Socket, SocketError, TimerHandle, TlsInfo } from '../runtime.ts';
import { ConnectionInfo } from '../proxy/connection-info.ts';
import { ServerLeg, type ServerLegOwner } from '../stream/server-leg.ts';
import { chooseServer } from '../stream/server-choice.ts';
import type { TerminationCause, TerminationPhase } from '../l4/termination.ts';
import { earliest } from '../util/idle-deadline.ts';
import {
  BodyFramer,
  H_CONNECTION,
  H_CONTENT_LENGTH,
  H_HOST,
  H_TRANSFER_ENCODING,
  H_UPGRADE,
  HeadEditor,
  headerName,
  errorClosesConnection,
  HttpParseError,
  RequestHeadParser,
  ResponseHeadParser,
  errorResponse,
  type RequestHead,
  type ResponseHead,
} from './codec/index.ts';
import type { LogRecord, StreamContext } from '../log/log-record.ts';
import type { UniqueId } from '../log/unique-id.ts';
import { connectionModeOf, forwardedForValue } from './http-options.ts';
import { hostMatchesAuthority, isAbsoluteForm, normalizeAbsoluteForm } from './absolute-form.ts';
import type { PooledConnection, ReuseScope } from './server-pool.ts';
import { CookieTxn } from '../stick/cookie-persistence.ts';
import { backendRulesFor, hasAfterResponseRules, HttpRuleRunner, httpRulesOf, type ProxyHttpRules } from '../rules/http-rules.ts';
import { Verdict } from '../rules/http-action.ts';
import type { VarScopes } from '../rules/vars.ts';
import { errorPageReply, ReplyConnection, type LocalReply } from './local-reply.ts';
import { frontendAnswersNothing, proxyErrorReply } from './error-replies.ts';

/** Where the client connection is between and within transactions. */
type State =
  | 'idle' // waiting for (the rest of) a request head
  | 'txn' // a request is being served
  | 'tunnel' // after 101 Switching Protocols: raw bytes both ways
  | 'closing' // the last response was sent; waiting for the client to close
  | 'closed';

/** Client bytes kept while a transaction cannot consume them (pipelining, connect in progress). */
const BACKLOG_LIMIT = 64 * 1024;
const EMPTY = new Uint8Array(0);
/** HAProxy's tune.http.maxhdr is 101 slots, one of which ends the list: 100 header lines. */
const MAX_HEADERS = 100;
const H_SEC_WEBSOCKET_KEY = headerName('sec-websocket-key');
const WEBSOCKET = new TextEncoder().encode('websocket');

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

/**
 * One client connection in `mode http`: parses requests strictly, forwards each to a server
 * chosen per request (reusing idle server connections), streams bodies both ways with
 * backpressure, answers with HAProxy's status codes when something fails, and becomes a tunnel
 * after a 101. It is the socket handler of both its client and its current server socket.
 */
export class HttpSession implements ServerLegOwner, ProxySession, StreamContext {
  readonly client: Socket;
  readonly host: SessionHost;
  /** The backend of the transaction in flight (chosen per request: `use_backend`, else the default). */
  backend: Backend | undefined;
  readonly runtime: Runtime;
  /** The connection's addresses and TLS facts, captured at accept by the frontend (connection-info.ts). */
  readonly connection: ConnectionInfo;
  get clientAddress(): string {
    return this.connection.clientAddress;
  }
  get clientPort(): number {
    return this.connection.clientPort;
  }
  readonly acceptedAt: number;

  /** `default_backend` (or the `listen` section's own): the backend unless `use_backend` picks another. */
  readonly #defaultBackend: Backend | undefined;
  /** The frontend's mode alone, until a backend is chosen; then the combination of both. */
  readonly #frontendMode: HttpConnectionMode;
  #mode: HttpConnectionMode;
  readonly #timeouts: { request: number | undefined; keepAlive: number | undefined; client: number | undefined };
  readonly #reqParser = new RequestHeadParser({ maxHeaders: MAX_HEADERS });
  readonly #resParser = new ResponseHeadParser({ maxHeaders: MAX_HEADERS });
  readonly #reqFramer = new BodyFramer();
  readonly #resFramer = new BodyFramer();
  readonly #editor = new HeadEditor();

  #state: State = 'idle';
  /**
   * The clock read once per event (socket event, timer, grant, kill), as HAProxy's now_ms per
   * poll loop: every timestamp of one event is the same, and the clock costs one call, not ten.
   */
  #now: number;
  #backlog: Uint8Array | undefined;
  #backlogPaused = false;
  /** Re-entrancy guard for #consumeClient (see there). */
  #consuming = false;
  #drainAgain = false;
  #draining = false;
  #clientClosed = false;
  #clientEnded = false;
  #requests = 0;
  #idleSince: number;
  #clientLast: number;
  #serverLast = 0;
  #clientHeld = false;
  #serverHeld = false;
  #timer: TimerHandle | undefined;
  #timerDue = Infinity;
  /**
   * Bytes for the client produced while handling one server read (a response head and the
   * start of its body, an interim 100 then the final head...). They leave in one write: a
   * syscall per piece costs more than copying a few KiB (bench/PROFILE.md measured +14%).
   */
  #batching = false;
  readonly #out: Uint8Array[] = [];
  #outBytes = 0;

  // ---- the transaction in flight ----
  #req: RequestHead | undefined;
  #reqHeadBytes: Uint8Array = EMPTY;
  #reqBodyDone = false;
  #reqBodyStarted = false;
  /** Request body bytes framed (validated) before the server connection was ready. */
  #pendingBody: Uint8Array[] = [];
  #pendingBodyBytes = 0;
  #reqStartedAt = -1;
  #reqStartedWall = 0;
  #reqHeadAt = -1;
  #closeAfter = false;
  /** The request reached the analysers (HAProxy's stream exists): errors get the proxies' errorfiles. */
  #analysing = false;
  /** Choosing, queueing for and connecting to the server (the same code as mode tcp). */
  readonly #leg: ServerLeg;
  #server: Socket | undefined;
  #conn: PooledConnection | undefined;
  #connReused = false;
  #serverEnded = false;
  #serverJunk = false;
  #resHead: ResponseHead | undefined;
  #resDone = false;
  #requestSentAt = -1;
  #resHeadAt = -1;
  #status = 0;
  #bytesOut = 0;
  #cause: TerminationCause = '-';
  #phase: TerminationPhase = '-';
  #countedInBackend = false;
  /** What the request's persistence cookie said (only when the backend has `cookie`). */
  #cookieState: CookieTxn | undefined;
  /** The frontend's HTTP rules (and `use_backend`), compiled once per generation; undefined when none. */
  readonly #frontendRules: ProxyHttpRules | undefined;
  /** The context rules run in, created by the first request that has rules to run. */
  #rules: HttpRuleRunner | undefined;
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
  /** LbRequest: the request being routed, for hash keys (uri, url_param, hdr, hash). */
  get lbHead(): RequestHead | undefined {
    return this.#lbView ?? this.#req;
  }
  /** `var()` in `balance hash` and stick expressions: the rules' variables, else only `proc`. */
  get vars(): VarScopes {
    return this.#rules?.vars ?? this.host.procVars;
  }

  /**
   * The request as the rules edited it, re-parsed from the bytes sent to the server, for the
   * balancer and stick rules (HAProxy balances the edited message); only built when the rules
   * changed the head and the backend reads it.
   */
  #lbView: RequestHead | undefined;

  // ---- StreamContext: each request is a stream (unique ids, log lines) ----
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
    if (this.#reqStartedAt >= 0) return this.#reqStartedWall - Math.round(this.#reqStartedAt - this.#idleSince);
    return this.runtime.wallClock() - (this.#now - this.#idleSince);
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

  constructor(host: SessionHost, client: Socket, defaultBackend: Backend | undefined, connection: ConnectionInfo = new ConnectionInfo(client)) {
    this.host = host;
    this.runtime = host.runtime;
    this.client = client;
    this.backend = defaultBackend;
    this.#defaultBackend = defaultBackend;
    this.connection = connection;
    this.acceptedAt = this.runtime.now();
    this.#now = this.acceptedAt;
    this.#idleSince = this.acceptedAt;
    this.#clientLast = this.acceptedAt;
    this.#frontendMode = connectionModeOf(host.model.http, undefined);
    this.#mode = this.#frontendMode;
    this.#leg = new ServerLeg(this.runtime, this);
    this.#frontendRules = httpRulesOf(host.model, 'frontend');
    const t: Timeouts = host.timeouts;
    this.#timeouts = {
      request: t.httpRequest ?? t.client,
      keepAlive: t.httpKeepAlive ?? t.httpRequest ?? t.client,
      client: t.client,
    };
    const log = host.trafficLog;
    if (log.pinsFrontAddress) connection.pinLocal();
    this.#uniqueId = log.uniqueIdFor(this);
    sessionOpened(host.counters);
    client.setHandler(this);
    this.#schedule();
  }

  // ---- ProxySession ----------------------------------------------------------------------

  drain(): void {
    this.#now = this.runtime.now();
    this.#draining = true;
    if (this.#state === 'idle' && !this.#reqParser.inProgress) this.#closeClient();
  }

  kill(cause: 'K' | 'D' | 'U' = 'K'): void {
    if (this.#state === 'closed') return;
    this.#now = this.runtime.now();
    const inFlight = this.#state === 'txn' || this.#state === 'tunnel';
    this.#setTermination(cause, inFlight ? 'D' : 'R');
    // A transaction cut short is logged like any other (HAProxy logs killed streams).
    if (inFlight) this.#log();
    this.#destroyAll();
  }

  // ---- client input ----------------------------------------------------------------------

  onData(socket: Socket, chunk: Uint8Array): void {
    const now = (this.#now = this.runtime.now());
    if (socket === this.client) {
      const n = chunk.byteLength;
      this.host.counters.bin += n;
      this.#clientLast = now;
      if (this.#state === 'tunnel') return this.#tunnelFromClient(chunk);
      if (this.#state === 'closing' || this.#state === 'closed') return;
      if (this.#backlog !== undefined) {
        this.#backlog = concat(this.#backlog, chunk);
        this.#drainBacklog();
      } else {
        this.#consumeClient(chunk);
      }
    } else if (socket === this.#server) {
      this.#serverLast = now;
      if (this.#state === 'tunnel') return this.#tunnelFromServer(chunk);
      this.#batching = true;
      this.#consumeServer(chunk);
      this.#batching = false;
      this.#flushClient();
    }
  }

  /**
   * Processes client bytes as far as the current state allows and keeps the rest as backlog.
   * Starting a request's server side can complete it synchronously (a pooled connection, a
   * generated error) and ask for the backlog again: that is looped here, not recursed into.
   */
  #consumeClient(data: Uint8Array): void {
    if (this.#consuming) {
      this.#backlog = this.#backlog === undefined ? data : concat(this.#backlog, data);
      this.#drainAgain = true;
      return;
    }
    this.#consuming = true;
    let input: Uint8Array | undefined = data;
    while (input !== undefined) {
      this.#drainAgain = false;
      const used = this.#processClient(input, 0);
      if (used < input.byteLength && this.#state !== 'closed' && this.#state !== 'closing') {
        this.#backlog = this.#backlog === undefined ? input.subarray(used) : concat(input.subarray(used), this.#backlog);
      }
      // A new request goes to a server only once the bytes that came with its head are framed.
      if (this.#state === 'txn' && this.#leg.step === 'none' && this.#resHead === undefined && this.#tarpitReply === undefined) {
        this.#startServerSide();
      }
      input = undefined;
      if (this.#drainAgain && this.#backlog !== undefined && this.#state === 'idle') {
        input = this.#backlog;
        this.#backlog = undefined;
      }
    }
    this.#consuming = false;
    // The client half-closed and its pipelined bytes ended in (or before) a head.
    if (this.#clientEnded && this.#state === 'idle') return this.#clientEndedIdle();
    const backlog = this.#backlog as Uint8Array | undefined;
    if (backlog !== undefined && backlog.byteLength >= BACKLOG_LIMIT) {
      if (!this.#backlogPaused) {
        this.#backlogPaused = true;
        this.client.pause();
      }
    } else if (this.#backlogPaused) {
      this.#backlogPaused = false;
      if (!this.#clientHeld) this.client.resume();
    }
  }

  #drainBacklog(): void {
    const backlog = this.#backlog;
    if (backlog === undefined) return;
    if (this.#consuming) {
      this.#drainAgain = true;
      return;
    }
    this.#backlog = undefined;
    this.#consumeClient(backlog);
  }

  /** Returns how many bytes of data[off..] were consumed. */
  #processClient(data: Uint8Array, off: number): number {
    const end = data.byteLength;
    while (off < end) {
      if (this.#state === 'idle') {
        if (this.#reqStartedAt < 0) {
          this.#reqStartedAt = this.#now;
          this.#reqStartedWall = this.runtime.wallClock();
          this.#streamId = this.host.limits.nextStreamId();
        }
        try {
          const used = this.#reqParser.feed(data, off);
          off += used;
          this.#reqBytes += used;
        } catch (error) {
          this.#badRequest(error);
          return end;
        }
        if (!this.#reqParser.done) return off;
        const head = this.#reqParser.head as RequestHead;
        this.#reqParser.reset();
        this.#beginTransaction(head);
        continue;
      }
      if (this.#state === 'txn' && !this.#reqBodyDone) {
        // The body is framed (validated) as it arrives, before anything of it is forwarded:
        // an invalid chunk that came with the head gets a 400 and reaches no server.
        const start = off;
        try {
          off += this.#reqFramer.feed(data, off);
        } catch (error) {
          this.#badRequestBody(error);
          return end;
        }
        if (off > start) this.#reqBytes += off - start;
        // Redundant leading zeros of a chunk size are not forwarded (see BodyFramer.discard).
        if (off > start && !this.#reqFramer.discard) {
          const bytes = data.subarray(start, off);
          if (this.#server !== undefined) this.#forwardRequestBody(bytes);
          else this.#holdRequestBody(bytes);
        }
        if (this.#reqFramer.done) {
          this.#reqBodyDone = true;
          this.#maybeFinishTransaction();
        }
        continue;
      }
      if (this.#state === 'tunnel') {
        this.#tunnelFromClient(off === 0 ? data : data.subarray(off));
        return end;
      }
      return off;
    }
    return off;
  }

  #holdRequestBody(bytes: Uint8Array): void {
    this.#pendingBody.push(bytes);
    this.#pendingBodyBytes += bytes.byteLength;
    if (this.#pendingBodyBytes >= BACKLOG_LIMIT && !this.#clientHeld) {
      this.#clientHeld = true;
      this.client.pause();
    }
  }

  #forwardRequestBody(bytes: Uint8Array): void {
    this.#reqBodyStarted = true;
    const backend = this.backend as Backend;
    backend.counters.bin += bytes.byteLength;
    (this.#leg.server as Server).counters.bin += bytes.byteLength;
    this.#serverLast = this.#clientLast;
    if (!(this.#server as Socket).write(bytes)) {
      this.#clientHeld = true;
      this.client.pause();
    }
  }

  // ---- a new request ---------------------------------------------------------------------

  #beginTransaction(head: RequestHead): void {
    const now = this.#now;
    this.#state = 'txn';
    this.#req = head;
    this.#reqHeadAt = now;
    this.#requests++;
    this.host.counters.reqTot++;
    this.#reqFramer.startRequest(head);
    this.#reqBodyDone = this.#reqFramer.done;
    this.#reqBodyStarted = false;
    // A client that half-closed is closed after its last pipelined request (#nextRequest).
    this.#closeAfter = this.#frontendMode === 'close' || head.mustClose || this.#draining;
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
    }
    return rules;
  }

  #startServerSide(): void {
    const head = this.#req as RequestHead;
    // An absolute-form target names the authority; a Host header saying otherwise is an
    // attempt to route on one name and be served another (HAProxy answers 400).
    if (head.hostFromTarget && head.hostIndex >= 0 && !hostMatchesAuthority(head, head.valueAt(head.hostIndex))) {
      this.host.counters.ereq++;
      return this.#fail(400, 'P', 'R');
    }
    // A WebSocket handshake without its key cannot succeed; HAProxy refuses it itself.
    if (head.upgrade && head.hasToken(H_UPGRADE, WEBSOCKET) && !head.has(H_SEC_WEBSOCKET_KEY)) {
      this.host.counters.ereq++;
      return this.#fail(400, 'P', 'R');
    }
    this.#analysing = true;
    // HAProxy's analysers: the frontend's http-request rules, the backend choice, the backend's
    // rules; every fetch and action sees the head as the rules before it edited it.
    const editor = this.#editor.begin(head);
    const feRules = this.#frontendRules;
    // A runner left from an earlier request starts afresh even when only its backend had rules.
    const runner = feRules !== undefined ? this.#ruleRunner() : this.#rules;
    runner?.beginRequest(head, editor);
    if (feRules !== undefined && (runner as HttpRuleRunner).frontendRequest() === Verdict.reply) return this.#replyLocally(runner as HttpRuleRunner);
    let backend = this.#defaultBackend;
    const named = feRules !== undefined && feRules.switching.length > 0 ? (runner as HttpRuleRunner).switchingTarget() : undefined;
    // A dynamic name that names no backend falls back to the default one, as HAProxy does.
    if (named !== undefined) backend = this.host.backendNamed(named) ?? backend;
    this.backend = backend;
    if (backend === undefined) {
      this.#rules?.endRequest();
      return this.#fail(503, 'P', 'R');
    }
    this.#mode = connectionModeOf(this.host.model.http, backend.http);
    if (this.#mode === 'close') this.#closeAfter = true;
    backend.counters.reqTot++;
    sessionOpened(backend.counters);
    this.#countedInBackend = true;
    const beRules = backendRulesFor(this.host.model, backend.model);
    this.#backendRules = beRules;
    if (this.#rules !== undefined) {
      this.#rules.backendTimeouts = backend.timeouts;
      this.#rules.backend = backend;
    }
    if (beRules !== undefined) {
      const rules = this.#ruleRunner();
      if (runner === undefined) rules.beginRequest(head, editor);
      rules.backendTimeouts = backend.timeouts;
      rules.backend = backend;
      if (rules.requestRules(beRules) === Verdict.reply) return this.#replyLocally(rules);
    }
    const rulesEdited = editor.changed;
    // `set-timeout`: this transaction's server and tunnel timeouts.
    this.#serverTimeout = this.#rules?.serverTimeout ?? backend.timeouts.server;
    this.#tunnelTimeout = this.#rules?.tunnelTimeout ?? backend.timeouts.tunnel;
    this.#rules?.endRequest();
    this.#reqHeadBytes = this.#finishRequestHead(head, editor);
    if (rulesEdited && readsRequestHead(backend)) this.#lbView = parseEditedHead(this.#reqHeadBytes);
    // Persistence: the cookie's server, `use-server`, a stick table match, offered first.
    const choice = chooseServer(backend, this, this.#cookieTxn?.server, this.#stickTarget);
    // `retry-on` without conn-failure (e.g. `retry-on none`) disables connection retries too.
    const retryOn = backend.http?.retryOn;
    this.#leg.begin(backend, choice.server, retryOn === undefined || retryOn.includes('conn-failure'), choice.force);
  }

  readonly #stickTarget = (): Server | undefined => this.backend?.persistence?.stickTarget(this, this.#now);

  /** What the proxy itself adds to the request head once the rules ran (HAProxy's http_process_request). */
  #finishRequestHead(head: RequestHead, editor: HeadEditor): Uint8Array {
    editor.removeHopByHop(head.upgrade);
    if (head.upgrade) editor.set(H_CONNECTION, 'upgrade');
    else if (this.#mode !== 'keep-alive') editor.set(H_CONNECTION, 'close');
    // Suspect framing (an HTTP/1.0 request with Transfer-Encoding): the server connection is
    // not reused, and a 1.0 server that ignores the coding must not wait for another request.
    else if (head.versionMinor === 0 && !head.smuggleSuspect) editor.set(H_CONNECTION, 'keep-alive');
    normalizeContentLength(editor, head);
    if (isAbsoluteForm(head)) {
      const normalized = normalizeAbsoluteForm(head, head.hostIndex >= 0 ? head.valueAt(head.hostIndex) : undefined);
      if (normalized !== undefined) {
        editor.setRequestLine(head.method, normalized.target, head.versionMinor);
        if (normalized.rewriteHost) editor.replace(head.hostIndex, normalized.authority);
      }
    }
    // HAProxy generates the unique id here even without `unique-id-header`, so that it can read the request.
    const uniqueId = this.#uniqueId?.value;
    const uniqueIdHeader = this.host.trafficLog.uniqueIdHeader;
    if (uniqueId !== undefined && uniqueIdHeader !== undefined) editor.append(uniqueIdHeader, uniqueId);
    const xff = forwardedForValue(this.host.model.http, this.backend?.http, this.clientAddress);
    if (xff !== undefined && !(xff.ifNone && head.has(xff.header))) editor.append(xff.header.name, this.clientAddress);
    const cookie = this.backend?.persistence?.cookie;
    if (cookie !== undefined) cookie.request(head, editor, this.#cookieTxn as CookieTxn, this.#wallSeconds());
    return editor.build();
  }

  /**
   * A rule answered (deny, return, redirect): the reply goes to the client and no server is
   * involved. HAProxy keeps the connection when the request was received whole, and closes it
   * otherwise (the rest of the body could not be told from the next request).
   */
  #replyLocally(rules: HttpRuleRunner): void {
    const reply = rules.reply as LocalReply;
    const denied = rules.denied;
    const tarpit = rules.tarpit;
    const invalid = rules.invalidRequest;
    rules.endRequest();
    // HAProxy: a `deny` ends as PR (proxy condition) and counts a denied request; a `return`
    // or a redirect as LR (processed locally). A request a rule found invalid is a bad
    // request (PR, counted in ereq), and the connection closes after the 400.
    if (denied) this.host.counters.dreq++;
    if (tarpit) return this.#startTarpit(reply);
    if (invalid) {
      this.host.counters.ereq++;
      this.#closeAfter = true;
    }
    this.#setTermination(denied || invalid ? 'P' : 'L', 'R');
    this.#sendLocalReply(reply);
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
    this.#tarpitUntil = this.#now + (t.tarpit ?? t.connect ?? 0);
    this.#schedule();
  }

  /**
   * An `http-response` rule answered instead of the server (deny, return, redirect): the
   * server's answer is dropped with its connection (its body will not be read) and the reply
   * goes to the client. Always false: the server response is not forwarded.
   */
  #replaceResponse(rules: HttpRuleRunner): false {
    const reply = rules.reply as LocalReply;
    const denied = rules.denied;
    rules.reply = undefined;
    rules.denied = false;
    const server = this.#server;
    this.#server = undefined;
    this.#conn = undefined;
    server?.reset();
    // HAProxy: an http-response deny is a denied response (PH), a return or redirect local (LH).
    if (denied) {
      this.host.counters.dresp++;
      (this.backend as Backend).counters.dresp++;
    }
    this.#setTermination(denied ? 'P' : 'L', 'H');
    this.#sendLocalReply(reply);
    return false;
  }

  /**
   * Sends a response the proxy built (local reply, error page) after the `http-after-response`
   * rules, which see every response (HAProxy's http_eval_after_res_rules); counts its status.
   * Without such rules the shared pre-encoded bytes go out as they are.
   */
  #writeGenerated(bytes: Uint8Array, status: number): void {
    if (hasAfterResponseRules(this.#frontendRules, this.#countedInBackend ? this.#backendRules : undefined)) {
      const edited = this.#afterResponseOnGenerated(bytes);
      bytes = edited.bytes;
      status = edited.status;
    }
    this.#countStatus(status);
    this.#writeClient(bytes);
  }

  /** The status the client gets, for the log and the counters. */
  #countStatus(status: number): void {
    this.#status = status;
    countResponse(this.host.counters, status);
    if (this.#countedInBackend) countResponse((this.backend as Backend).counters, status);
  }

  /** Runs the after-response rules on a generated response: its head is parsed, edited, rebuilt. */
  #afterResponseOnGenerated(bytes: Uint8Array): { bytes: Uint8Array; status: number } {
    const parser = new ResponseHeadParser({ maxHeaders: MAX_HEADERS });
    const used = parser.feed(bytes, 0);
    const head = parser.head as ResponseHead;
    const editor = this.#editor.begin(head);
    const rules = this.#ruleRunner();
    rules.applyAfterResponse(this.#req, head, editor, this.#countedInBackend ? this.#backendRules : undefined, true);
    const status = rules.responseStatus ?? head.status;
    const built = editor.build();
    const out = new Uint8Array(built.byteLength + bytes.byteLength - used);
    out.set(built, 0);
    out.set(bytes.subarray(used), built.byteLength);
    return { bytes: out, status };
  }

  /** Writes a reply the proxy built, then keeps the connection for the next request or closes it. */
  #sendLocalReply(page: LocalReply): void {
    const reply = this.#proxyReply(page);
    const close = reply.closes || !this.#reqBodyDone || this.#closeAfter || this.#draining || this.#clientEnded;
    this.#writeReply(reply, close);
    this.#log();
    this.#endTransaction();
    if (close) this.#closeClient();
    else this.#nextRequest();
  }

  /** A built-in error page gives way to the proxies' errorfile for its status (HAProxy's http_error_message). */
  #proxyReply(reply: LocalReply): LocalReply {
    if (!reply.isErrorPage) return reply;
    const backend = this.#countedInBackend ? this.backend?.model : undefined;
    // An `http-error` log-format reads the request: through the rules' context while it holds
    // the request (with the rules' edits), else the session's.
    const rules = this.#rules;
    return proxyErrorReply(reply.status, this.host.model, backend, rules?.lbHead !== undefined ? rules : this) ?? reply;
  }

  /**
   * Writes a reply the proxy built; what the H1 mux appends (connection: close / keep-alive)
   * follows the request's version. An empty errorfile answers nothing (the connection closes);
   * a HEAD gets no payload.
   */
  #writeReply(reply: LocalReply, close: boolean): void {
    const req = this.#req;
    const connection = close ? ReplyConnection.close : req?.versionMinor === 0 ? ReplyConnection.keepAlive : ReplyConnection.none;
    const bytes = reply.encode(connection);
    if (bytes.byteLength === 0) return this.#countStatus(reply.status);
    this.#writeGenerated(req?.method === 'HEAD' ? bytes.subarray(0, bytes.byteLength - reply.bodyLength) : bytes, reply.status);
  }


  // ---- the server leg ----------------------------------------------------------------------

  granted(server: Server): void {
    this.#now = this.runtime.now();
    this.#leg.granted(server);
  }

  legScheduled(): void {
    this.#schedule();
  }

  serverUnreachable(cause: TerminationCause, phase: TerminationPhase): void {
    this.#fail(503, cause, phase);
  }

  /** An idle keep-alive connection to `server` this request may ride (HAProxy's http-reuse). */
  idleConnection(server: Server): Socket | undefined {
    const conn = this.host.pools(this.backend as Backend).take(server, this.#reuseScope());
    if (conn === undefined) return undefined;
    conn.socket.setHandler(this);
    this.#attach(conn, true);
    return conn.socket;
  }

  serverConnected(socket: Socket, reused: boolean): void {
    this.#now = this.runtime.now();
    if (!reused) this.#attach({ socket, server: this.#leg.server as Server, uses: 0, idleSince: 0 }, false);
    this.#sendRequest();
  }

  /**
   * HAProxy's http-reuse: which idle connections this request may ride. A session's later
   * requests may take any; its first takes none with `safe`, only connections that carried two
   * requests or more with `aggressive`, and any with `always`.
   */
  #reuseScope(): ReuseScope {
    const later = this.#requests > 1;
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
    this.#conn = conn;
    this.#server = conn.socket;
    this.#connReused = reused;
    this.#serverEnded = false;
    this.#serverJunk = false;
    this.#resParser.reset();
  }

  #sendRequest(): void {
    const server = this.#server as Socket;
    this.#requestSentAt = this.#now;
    // Connected: stick rules record the server (HAProxy stores once the server is known).
    this.backend?.persistence?.stored(this, this.#leg.server as Server, this.#requestSentAt);
    this.#serverLast = this.#requestSentAt;
    const head = this.#reqHeadBytes;
    (this.backend as Backend).counters.bin += head.byteLength;
    let flowing = server.write(head);
    if (this.#pendingBodyBytes > 0) {
      this.#reqBodyStarted = true;
      (this.backend as Backend).counters.bin += this.#pendingBodyBytes;
      (this.#leg.server as Server).counters.bin += this.#pendingBodyBytes;
      for (const chunk of this.#pendingBody) flowing = server.write(chunk);
      this.#pendingBody = [];
      this.#pendingBodyBytes = 0;
    }
    if (!flowing) {
      if (!this.#clientHeld) {
        this.#clientHeld = true;
        this.client.pause();
      }
    } else if (this.#clientHeld) {
      this.#clientHeld = false;
      if (!this.#backlogPaused) this.client.resume();
    }
    this.#schedule();
  }

  // ---- server input ----------------------------------------------------------------------

  #consumeServer(chunk: Uint8Array): void {
    const end = chunk.byteLength;
    let off = 0;
    while (off < end) {
      if (this.#resHead === undefined) {
        try {
          off += this.#resParser.feed(chunk, off);
        } catch (error) {
          return this.#badResponse(error);
        }
        if (!this.#resParser.done) return;
        const head = this.#resParser.head as ResponseHead;
        this.#resParser.reset();
        if (head.interim) {
          (this.#leg.server as Server).observer?.observe(Observed.httpOk);
          // 100 Continue and friends go to HTTP/1.1 clients as they are; 1.0 clients cannot take them.
          if ((this.#req as RequestHead).versionMinor === 1) this.#writeClient(head.raw);
          continue;
        }
        if (!this.#startResponse(head)) return;
        if (this.#state === 'tunnel') {
          if (off < end) this.#tunnelFromServer(chunk.subarray(off));
          return;
        }
        continue;
      }
      if (!this.#resDone) {
        const start = off;
        try {
          off += this.#resFramer.feed(chunk, off);
        } catch {
          // The response is already on its way: all we can do is cut it short.
          (this.backend as Backend).counters.eresp++;
          this.#setTermination('S', 'D');
          return this.#destroyAll();
        }
        if (off > start && !this.#resFramer.discard) this.#forwardResponseBody(chunk.subarray(start, off));
        if (this.#resFramer.done) this.#resDone = true;
        continue;
      }
      // Bytes after the end of the response belong to no request: never reuse this connection.
      this.#serverJunk = true;
      break;
    }
    if (this.#resDone) this.#maybeFinishTransaction();
  }

  /** Returns false when the session ended (invalid response). */
  #startResponse(head: ResponseHead): boolean {
    const req = this.#req as RequestHead;
    if (head.status >= 400 && this.#canRetryOn(head.status)) {
      // `retry-on 5xx`: drop this answer (and its connection, whose body we will not read)
      // and try again, on another server for the last retry with `option redispatch`.
      const server = this.#server;
      this.#server = undefined;
      this.#conn = undefined;
      server?.reset();
      this.#retry(true);
      return false;
    }
    if (!head.chunked && head.has(H_TRANSFER_ENCODING) && head.status >= 200 && head.status !== 204 && head.status !== 304) {
      // A response body whose length is only known by decoding codings we do not apply
      // cannot be relayed safely (HAProxy answers 502).
      (this.backend as Backend).counters.eresp++;
      if (this.#observed(Observed.httpResponse)) this.#fail(502, 'S', 'H');
      return false;
    }
    const observer = (this.#leg.server as Server).observer;
    if (observer !== undefined) {
      observer.observe(httpStatusEvent(head.status));
      if (this.#state === 'closed') return false;
    }
    this.#resHeadAt = this.#now;
    // `option logasap`, or a format with nothing to wait for: HAProxy logs the response head
    // as it arrives, before the response rules, with the bytes received so far.
    if (this.host.trafficLog.early) this.#log(head);
    const backend = this.backend as Backend;
    countResponse((this.#leg.server as Server).counters, head.status);
    const editor = this.#editor.begin(head);
    if (head.status !== 101 && (this.#frontendRules !== undefined || this.#backendRules !== undefined)) {
      const rules = this.#ruleRunner();
      if (rules.applyResponse(req, head, editor, this.#backendRules) === Verdict.reply) return this.#replaceResponse(rules);
    }
    this.#resHead = head;
    // `set-status` in http-response rules: the client, the log and the counters see the new one.
    const status = this.#rules?.responseStatus ?? head.status;
    this.#status = status;
    countResponse(this.host.counters, status);
    countResponse(backend.counters, status);
    if (head.status === 101 && req.upgrade) {
      this.#writeClient(head.raw);
      this.#enterTunnel();
      return true;
    }
    this.#resFramer.startResponse(head, req.method);
    // An HTTP/1.0 response with Transfer-Encoding goes out as it came, and RFC 9112 §6.1 tells
    // the client its framing is faulty: close after it, as HAProxy does.
    if (this.#resFramer.mode === 'close' || (head.smuggleSuspect && head.versionMinor === 0)) this.#closeAfter = true;
    editor.removeHopByHop();
    normalizeContentLength(editor, head);
    if (this.#closeAfter) editor.set(H_CONNECTION, 'close');
    else if (req.versionMinor === 0) editor.set(H_CONNECTION, 'keep-alive');
    const cookie = backend.persistence?.cookie;
    if (cookie !== undefined) {
      const srv = this.#leg.server as Server;
      cookie.response(head, editor, this.#cookieTxn as CookieTxn, srv, this.#leg.persistTo === srv, req, this.#wallSeconds());
    }
    if (hasAfterResponseRules(this.#frontendRules, this.#backendRules)) {
      const rules = this.#ruleRunner();
      rules.applyAfterResponse(req, head, editor, this.#backendRules, false);
      this.#status = rules.responseStatus ?? this.#status;
    }
    this.#writeClient(editor.build());
    this.#resDone = this.#resFramer.done;
    return true;
  }

  #forwardResponseBody(bytes: Uint8Array): void {
    const backend = this.backend as Backend;
    backend.counters.bout += bytes.byteLength;
    (this.#leg.server as Server).counters.bout += bytes.byteLength;
    this.#writeClient(bytes);
  }

  #writeClient(bytes: Uint8Array): void {
    this.#bytesOut += bytes.byteLength;
    this.host.counters.bout += bytes.byteLength;
    this.#clientLast = this.#now;
    if (this.#batching) {
      this.#out.push(bytes);
      this.#outBytes += bytes.byteLength;
      return;
    }
    this.#sendClient(bytes);
  }

  #sendClient(bytes: Uint8Array): void {
    if (!this.client.write(bytes) && this.#server !== undefined) {
      this.#serverHeld = true;
      this.#server.pause();
    }
  }

  /** Sends what #writeClient batched; must run before the client is ended or destroyed. */
  #flushClient(): void {
    const out = this.#out;
    const n = out.length;
    if (n === 0) return;
    if (n === 1) {
      this.#sendClient(out[0] as Uint8Array);
    } else if (this.#outBytes <= 16 * 1024) {
      const joined = new Uint8Array(this.#outBytes);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const piece = out[i] as Uint8Array;
        joined.set(piece, at);
        at += piece.byteLength;
      }
      this.#sendClient(joined);
    } else {
      for (let i = 0; i < n; i++) this.#sendClient(out[i] as Uint8Array);
    }
    out.length = 0;
    this.#outBytes = 0;
  }

  // ---- end of a transaction --------------------------------------------------------------

  #maybeFinishTransaction(): void {
    if (this.#state !== 'txn' || !this.#resDone) return;
    const server = this.#server;
    const conn = this.#conn;
    const res = this.#resHead as ResponseHead;
    const req = this.#req as RequestHead;
    // A client still uploading a body the server did not wait for cannot be resynchronised.
    if (!this.#reqBodyDone) this.#closeAfter = true;
    const reusable =
      this.#mode === 'keep-alive' &&
      this.#reqBodyDone &&
      !this.#serverJunk &&
      !this.#serverEnded &&
      res.keepAlive &&
      !res.mustClose &&
      !req.mustClose &&
      this.#resFramer.mode !== 'close';
    this.#log();
    this.#server = undefined;
    this.#conn = undefined;
    if (server !== undefined && conn !== undefined) {
      if (this.#serverHeld) server.resume();
      if (reusable && this.backend !== undefined && (this.backend.http?.reuse ?? 'safe') !== 'never') {
        conn.uses++;
        // Shared with every session from now on, or closed if the server needs no more idle ones.
        this.host.pools(this.backend).park(conn);
      } else {
        server.destroy();
      }
    }
    this.#endTransaction();
    this.#nextRequest();
  }

  /** After a transaction: wait for the next request on this connection, or close it. */
  #nextRequest(): void {
    // A client that half-closed may still have pipelined requests to be served.
    if (this.#closeAfter || this.#draining || (this.#clientEnded && this.#backlog === undefined)) return this.#closeClient();
    this.#state = 'idle';
    this.#idleSince = this.#now;
    this.#schedule();
    if (this.#clientHeld) {
      this.#clientHeld = false;
      if (!this.#backlogPaused) this.client.resume();
    }
    this.#drainBacklog();
  }

  /** Releases the transaction's server slot and clears its fields. */
  #endTransaction(): void {
    this.#leg.finish();
    if (this.#countedInBackend) {
      (this.backend as Backend).counters.scur--;
      this.#countedInBackend = false;
    }
    this.#req = undefined;
    this.#lbView = undefined;
    this.#tarpitReply = undefined;
    this.#backendRules = undefined;
    if (this.#rules !== undefined) this.#rules.logLevel = undefined;
    this.#analysing = false;
    this.#reqHeadBytes = EMPTY;
    this.#pendingBody = [];
    this.#pendingBodyBytes = 0;
    this.#resHead = undefined;
    this.#resDone = false;
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
  }

  /** Wall-clock UNIX seconds (persistence cookie dates). */
  #wallSeconds(): number {
    return Math.floor(this.runtime.wallClock() / 1000);
  }

  /**
   * The client half-closed while no request is in flight: no head can complete any more. As
   * HAProxy's h1 mux: part of a head, or nothing at all on a connection's first request, is a
   * bad request (400, logged CR unless `dontlognull` and nothing came); between keep-alive
   * requests the connection just closes.
   */
  #clientEndedIdle(): void {
    if (this.#reqParser.inProgress) {
      this.host.counters.ereq++;
      return this.#fail(400, 'C', 'R');
    }
    if (this.#requests > 0) return this.#closeClient();
    this.host.counters.ereq++;
    // A connection that sent nothing (a probe, a TCP health check) is what dontlognull silences.
    this.#fail(400, 'C', 'R', !(this.host.model.options.dontlognull && this.#reqStartedAt < 0));
  }

  /** Sends our FIN after the queued response; the session ends when the client closes. */
  #closeClient(): void {
    this.#flushClient();
    this.#state = 'closing';
    this.#backlog = undefined;
    this.client.end();
    this.#schedule();
  }

  // ---- errors the proxy answers ----------------------------------------------------------

  #badRequest(error: unknown): void {
    const status = error instanceof HttpParseError ? error.status : 400;
    this.host.counters.ereq++;
    this.#req = undefined;
    this.#fail(status, 'P', 'R');
  }

  #badRequestBody(error: unknown): void {
    this.host.counters.ereq++;
    if (this.#resHead === undefined) {
      this.#fail(error instanceof HttpParseError ? error.status : 400, 'P', 'D');
    } else {
      this.#setTermination('P', 'D');
      this.#destroyAll();
    }
  }

  #badResponse(error: unknown): void {
    void error;
    (this.backend as Backend).counters.eresp++;
    if (this.#leg.server !== undefined) this.#leg.server.counters.eresp++;
    // HAProxy judges a junk response before retrying it.
    if (!this.#observed(Observed.httpHeaders)) return;
    if (this.#canRetryOn('junk-response')) {
      const server = this.#server;
      this.#server = undefined;
      this.#conn = undefined;
      server?.reset();
      return this.#retry(true);
    }
    this.#fail(502, 'S', 'H');
  }

  /**
   * Ends the transaction with a generated response (when none was started), then closes the
   * client connection, as HAProxy does after an error. `log` false: the response is sent but
   * not logged (`dontlognull`).
   */
  #fail(status: number, cause: TerminationCause, phase: TerminationPhase, log = true): void {
    this.#setTermination(cause, phase);
    const server = this.#server;
    this.#server = undefined;
    this.#conn = undefined;
    // An abandoned exchange: reset, as HAProxy does (SO_LINGER 0), so the server stops at once.
    server?.reset();
    if (this.#resHead === undefined && !this.#clientClosed) {
      // Once the request reached the analysers, HAProxy answers through its stream: the proxies'
      // errorfile, else the built-in page as its HTX layer sends it. Before that its H1 mux
      // answers with the raw built-in page, or nothing when the frontend's errorfile is empty.
      const reply = this.#analysing ? this.#proxyReply(errorPageReply(status)) : undefined;
      const silent = reply === undefined && frontendAnswersNothing(this.host.model, status);
      // HAProxy keeps the connection after the errors it generates (502/503/504...), except
      // 400/408, or when the rest of the request cannot be told apart from the next one.
      const close =
        (reply === undefined ? silent || errorClosesConnection(status) : reply.closes) ||
        this.#req === undefined || !this.#reqBodyDone || this.#closeAfter || this.#draining || this.#clientEnded;
      if (reply !== undefined) this.#writeReply(reply, close);
      else if (!silent) this.#writeGenerated(errorResponse(status, close), status);
      else this.#countStatus(status);
      if (log) this.#log();
      this.#endTransaction();
      if (close) this.#closeClient();
      else this.#nextRequest();
      return;
    }
    this.#log();
    this.#destroyAll();
  }

  // ---- socket events ---------------------------------------------------------------------

  onDrain(socket: Socket): void {
    const now = (this.#now = this.runtime.now());
    if (socket === this.client) {
      this.#clientLast = now;
      if (this.#serverHeld) {
        this.#serverHeld = false;
        this.#server?.resume();
      }
    } else if (socket === this.#server) {
      this.#serverLast = now;
      if (this.#clientHeld) {
        this.#clientHeld = false;
        if (!this.#backlogPaused) this.client.resume();
      }
    }
  }

  onEnd(socket: Socket): void {
    this.#now = this.runtime.now();
    if (socket === this.client) {
      this.#clientEnded = true;
      if (this.#state === 'tunnel') return this.#server?.end();
      if (this.#state === 'idle') return this.#clientEndedIdle();
      // Closing and the client finished too: its socket closes by itself once our FIN is out.
      if (this.#state === 'closing') return;
      if (this.#state === 'txn' && !this.#reqBodyDone) {
        // The body can never be completed: the client gave up mid-request. HAProxy closes
        // without an answer and logs CD whether or not the response started.
        this.host.counters.ereq++;
        this.#setTermination('C', 'D');
        this.#log();
        return this.#destroyAll();
      }
      // The request is complete: serve it, and the requests pipelined behind it, then close
      // (HAProxy does not forward the FIN). Without pipelined bytes this is the last response.
      if (this.#backlog === undefined) this.#closeAfter = true;
    } else if (socket === this.#server) {
      this.#serverEnded = true;
      if (this.#state === 'tunnel') return this.client.end();
      if (this.#state !== 'txn' || this.#server === undefined || this.#resDone) return;
      // The server finished sending: what it sent is all there will be.
      this.#serverGone(undefined);
    }
  }

  onClose(socket: Socket, error: SocketError | undefined): void {
    this.#now = this.runtime.now();
    if (socket === this.client) {
      this.#clientClosed = true;
      if (this.#state === 'closed') return;
      if (this.#state === 'txn') {
        this.host.counters.ereq += this.#resHead === undefined && !this.#reqBodyDone ? 1 : 0;
        const waiting = this.#tarpitReply !== undefined ? 'T' : this.#leg.step === 'queued' ? 'Q' : this.#leg.step === 'connected' ? 'H' : 'C';
        this.#setTermination('C', this.#resHead === undefined ? waiting : 'D');
        this.#log();
      } else if (this.#state === 'idle' && this.#reqParser.inProgress) {
        this.#setTermination('C', 'R');
      } else if (this.#state === 'tunnel') {
        this.#log();
      }
      return this.#destroyAll();
    }
    if (socket !== this.#server) return;
    if (this.#state === 'tunnel') {
      this.#server = undefined;
      if (!this.#clientClosed) this.client.end();
      return;
    }
    if (this.#state !== 'txn') return;
    this.#serverGone(error);
  }

  /** The server closed (or half-closed) its side while a transaction needed it. */
  #serverGone(error: SocketError | undefined): void {
    if (this.#resDone) return;
    const server = this.#server;
    if (this.#resHead === undefined) {
      // Closed before answering. A reused idle connection may have been closed by the server
      // just as we sent: retry once on a fresh connection when nothing of the body was sent.
      this.#server = undefined;
      this.#conn = undefined;
      server?.destroy(); // it may only have half-closed; its onClose is now ignored
      if (this.#connReused && !this.#reqBodyStarted && this.#resParser.bytesReceived === 0) {
        this.#resParser.reset();
        return this.#leg.reconnect();
      }
      if (this.#canRetryOn('empty-response')) return this.#retry(false);
      (this.backend as Backend).counters.eresp++;
      if (this.#requests > 1 && this.#resParser.bytesReceived === 0) {
        // Like a server closing an idle keep-alive connection: close the client connection
        // without an answer so that it may retry (HAProxy does the same for later requests).
        this.#setTermination('S', 'H');
        this.#log();
        this.#endTransaction();
        return this.#closeClient();
      }
      const srv = this.#leg.server as Server;
      this.#fail(502, 'S', 'H');
      // Reported once the session left the server, as HAProxy does once the connection closed
      // ("0 sessions active" in the DOWN line; no on-marked-down kill reaches this session).
      srv.observer?.observe(error === undefined ? Observed.httpBrokenPipe : Observed.httpReadError);
      return;
    }
    if (!this.#resDone) {
      if (this.#resFramer.mode === 'close' && error === undefined) {
        this.#resFramer.eof();
        this.#resDone = true;
        return this.#maybeFinishTransaction();
      }
      (this.backend as Backend).counters.eresp++;
      this.#setTermination('S', 'D');
      this.#log();
      return this.#destroyAll();
    }
  }

  // ---- retries ---------------------------------------------------------------------------

  #canRetryOn(event: 'empty-response' | 'junk-response' | 'response-timeout' | number): boolean {
    const retryOn = this.backend?.http?.retryOn;
    const req = this.#req;
    if (retryOn === undefined || req === undefined) return false;
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
    return this.#state !== 'closed';
  }

  /** Drops the failed exchange's parser state and lets the leg try again (`retry-on`). */
  #retry(timedOut: boolean): void {
    this.#resParser.reset();
    this.#leg.retry(timedOut);
  }

  // ---- tunnel (after 101) ----------------------------------------------------------------

  #enterTunnel(): void {
    this.#state = 'tunnel';
    this.#log();
    const backlog = this.#backlog;
    this.#backlog = undefined;
    if (backlog !== undefined) this.#tunnelFromClient(backlog);
    if (this.#backlogPaused) {
      this.#backlogPaused = false;
      this.client.resume();
    }
    this.#schedule();
  }

  #tunnelFromClient(chunk: Uint8Array): void {
    const server = this.#server;
    if (server === undefined) return;
    this.#serverLast = this.#clientLast;
    if (!server.write(chunk)) {
      this.#clientHeld = true;
      this.client.pause();
    }
  }

  #tunnelFromServer(chunk: Uint8Array): void {
    this.#writeClient(chunk);
  }

  // ---- timeouts --------------------------------------------------------------------------

  #schedule(): void {
    const due = this.#nextDeadline();
    if (due === undefined || due >= this.#timerDue) return;
    if (this.#timer !== undefined) this.runtime.clearTimer(this.#timer);
    this.#timerDue = due;
    this.#timer = this.runtime.setTimer(this.#onTimer, Math.max(0, due - this.#now));
  }

  #clientDeadline(): number | undefined {
    if (this.#clientHeld) return undefined;
    const t = this.#timeouts.client;
    return t === undefined ? undefined : this.#clientLast + t;
  }

  #nextDeadline(): number | undefined {
    switch (this.#state) {
      case 'idle': {
        if (this.#reqParser.inProgress || this.#requests === 0) {
          const t = this.#timeouts.request;
          const from = this.#reqStartedAt >= 0 && this.#requests > 0 ? this.#reqStartedAt : this.#idleSince;
          return t === undefined ? undefined : from + t;
        }
        const t = this.#timeouts.keepAlive;
        return t === undefined ? undefined : this.#idleSince + t;
      }
      case 'txn': {
        if (this.#tarpitReply !== undefined) return this.#tarpitUntil;
        let due = this.#resHead === undefined && this.#reqBodyDone ? undefined : this.#clientDeadline();
        if (this.#server !== undefined) {
          const s = this.#serverTimeout;
          if (s !== undefined && !this.#serverHeld) due = earliest(due, this.#serverLast + s);
          return due;
        }
        return earliest(due, this.#leg.deadline());
      }
      case 'tunnel': {
        const t = this.#tunnelTimeout ?? this.#timeouts.client ?? this.#serverTimeout;
        return t === undefined ? undefined : Math.max(this.#clientLast, this.#serverLast) + t;
      }
      case 'closing':
        return this.#clientDeadline() ?? this.#now + 5000;
      case 'closed':
        return undefined;
    }
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.#state === 'closed') return;
    const now = (this.#now = this.runtime.now());
    const due = this.#nextDeadline();
    if (due !== undefined && now >= due) this.#expire(now);
    this.#schedule(); // no-op once closed: there is no deadline left
  };

  #expire(now: number): void {
    switch (this.#state) {
      case 'idle':
        if (this.#reqParser.inProgress || this.#requests === 0) {
          this.host.counters.ereq++;
          return this.#fail(408, 'c', 'R');
        }
        // `timeout http-keep-alive`: HAProxy releases the idle connection outright (close(),
        // FIN) rather than half-closing it and holding the socket until the client's FIN or
        // `timeout client`; nothing is in flight and nothing is logged.
        return this.#destroyAll();
      case 'tunnel':
        this.#setTermination('c', 'D');
        return this.#destroyAll();
      case 'closing':
        return this.#destroyAll();
      case 'txn':
        break;
      case 'closed':
        return;
    }
    const tarpitted = this.#tarpitReply;
    if (tarpitted !== undefined) {
      this.#tarpitReply = undefined;
      this.#setTermination('P', 'T');
      return this.#sendLocalReply(tarpitted);
    }
    const clientDue = this.#resHead === undefined && this.#reqBodyDone ? undefined : this.#clientDeadline();
    if (clientDue !== undefined && now >= clientDue) {
      if (this.#resHead === undefined) return this.#fail(408, 'c', this.#server !== undefined ? 'D' : 'C');
      this.#setTermination('c', 'D');
      this.#log();
      return this.#destroyAll();
    }
    if (this.#server === undefined) {
      this.#leg.expire(now);
      return;
    }
    // The server's deadline passed (`timeout server`).
    (this.backend as Backend).counters.eresp++;
    if (this.#resHead === undefined) {
      if (this.#canRetryOn('response-timeout')) {
        const attempt = this.#server;
        this.#server = undefined;
        this.#conn = undefined;
        attempt.destroy();
        return this.#retry(true);
      }
      const srv = this.#leg.server as Server;
      this.#fail(504, 's', 'H');
      // As for a closed connection: HAProxy reports it once the session left the server.
      srv.observer?.observe(Observed.httpReadTimeout);
      return;
    }
    this.#setTermination('s', 'D');
    this.#log();
    return this.#destroyAll();
  }

  // ---- teardown and logging --------------------------------------------------------------

  #setTermination(cause: TerminationCause, phase: TerminationPhase): void {
    if (this.#cause === '-') {
      this.#cause = cause;
      this.#phase = phase;
    }
  }

  #destroyAll(): void {
    if (this.#state === 'closed') return;
    this.#out.length = 0; // the client is destroyed: queued bytes are dropped with it
    this.#outBytes = 0;
    const server = this.#server;
    this.#server = undefined;
    this.#conn = undefined;
    server?.reset();
    this.#endTransaction();
    this.#state = 'closed';
    this.#backlog = undefined;
    if (this.#timer !== undefined) {
      this.runtime.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    this.#timerDue = Infinity;
    if (!this.#clientClosed) {
      this.#clientClosed = true;
      this.client.destroy();
    }
    this.#reqParser.release();
    this.#resParser.release();
    this.host.counters.scur--;
    this.host.limits.current--;
    this.host.sessionEnded(this);
  }

  /**
   * One line per transaction, even if several paths end it. `early`: the response head that
   * just arrived (`option logasap`); the line then shows the stream as it is at that moment.
   */
  #log(early?: ResponseHead): void {
    const log = this.host.trafficLog;
    if (!log.enabled) return;
    if (this.#streamId < 0) this.#streamId = this.host.limits.nextStreamId();
    if (this.#loggedStream === this.#streamId) return;
    this.#loggedStream = this.#streamId;
    // `set-log-level`: another level for this transaction's line, or none (`silent`, -1).
    log.emit(this.#record(early, log.count), this.#rules?.logLevel);
    this.#cookieTxn?.logged();
  }

  /** The transaction's facts as HAProxy's strm_logs and txn, relative to the stream's accept. */
  #record(early: ResponseHead | undefined, logCount: number): LogRecord {
    const host = this.host;
    const req = this.#req;
    const leg = this.#leg;
    const accepted = this.#idleSince;
    // HAProxy's H1 layer reports a request it could not parse itself (sess_log): no stream
    // bytes, idle counted from 0.
    const idle = elapsed(this.#reqStartedAt, accepted);
    const tIdle = req === undefined && idle < 0 ? 0 : idle;
    const server = this.#server;
    const pins = host.trafficLog.pinsServerAddress && server !== undefined;
    // At the end HAProxy has released the backend and the server: only the connection counts.
    const final = early === undefined;
    return {
      mode: 'http',
      clientAddress: this.clientAddress,
      clientPort: this.clientPort,
      localAddress: this.localAddress,
      localPort: this.localPort,
      clientTls: this.connection.tls,
      connection: this.connection,
      hostname: this.runtime.hostname,
      frontendName: host.name,
      pid: this.runtime.pid,
      lbHead: req,
      acceptWall: this.acceptWall,
      streamId: this.#streamId,
      uniqueId: this.#uniqueId?.value,
      uniqueIdIfGenerated: this.#uniqueId?.value,
      // Before a backend was chosen HAProxy logs the frontend in its place (fe/<NOSRV>).
      backendName: this.#countedInBackend ? (this.backend as Backend).name : host.name,
      serverName: leg.lastServerName ?? '<NOSRV>',
      serverAddress: pins ? server.remoteAddress : undefined,
      serverPort: pins ? server.remotePort : undefined,
      sourceAddress: pins ? server.localAddress : undefined,
      sourcePort: pins ? server.localPort : undefined,
      tHandshake: 0,
      tIdle,
      tRequest: elapsed(this.#reqHeadAt, accepted),
      tQueue: elapsed(leg.assignedAt, accepted),
      tConnect: elapsed(leg.connectedAt, accepted),
      tData: elapsed(this.#resHeadAt, accepted),
      tClose: elapsed(early === undefined ? this.#now : this.#resHeadAt, accepted),
      status: early !== undefined ? early.status : this.#status === 0 ? -1 : this.#status,
      bytesIn: this.#reqBytes,
      bytesOut: req === undefined ? 0 : early !== undefined ? early.raw.byteLength : this.#bytesOut,
      termination: `${this.#cause}${this.#phase}`,
      cookieFlags: this.#cookieTxn === undefined ? '--' : this.#cookieTxn.requestFlag + this.#cookieTxn.responseFlag,
      actconn: host.limits.current,
      feconn: host.counters.scur,
      beconn: (this.backend?.counters.scur ?? 0) - (final && this.#countedInBackend ? 1 : 0),
      srvconn: (leg.server?.active ?? 0) - (final && leg.holdsSlot ? 1 : 0),
      retries: leg.retries,
      redispatched: leg.redispatched,
      serverQueuePos: leg.queuePositions.server,
      backendQueuePos: leg.queuePositions.backend,
      logCount,
    };
  }
}

/**
 * With Transfer-Encoding, Content-Length must not be forwarded (RFC 9112 §6.3); repeated
 * identical lengths ("5, 5" or two headers) are one length, forwarded once (HAProxy does both).
 */
function normalizeContentLength(editor: HeadEditor, head: RequestHead | ResponseHead): void {
  if (head.smuggleSuspect) {
    editor.removeAll(H_CONTENT_LENGTH);
    return;
  }
  const length = head.contentLength;
  if (length === undefined) return;
  const first = head.indexOf(H_CONTENT_LENGTH);
  // The usual single plain value has exactly the length's digit count: no string is built.
  const valueLength = (head.offsets[first * 4 + 3] as number) - (head.offsets[first * 4 + 2] as number);
  if (head.indexOf(H_CONTENT_LENGTH, first + 1) >= 0 || valueLength !== decimalDigits(length)) {
    editor.removeAll(H_CONTENT_LENGTH);
    editor.append('content-length', String(head.contentLength));
  }
}

/** ms from `from` to `at`, -1 when `at` is -1 (a step not reached), as HAProxy's t_* fields. */
function elapsed(at: number, from: number): number {
  return at < 0 ? -1 : Math.round(at - from);
}

function decimalDigits(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}

const L7_ALGORITHMS = new Set(['uri', 'url_param', 'hdr', 'hash']);

/** Whether choosing a server reads the request head: an L7 balance key, or persistence. */
function readsRequestHead(backend: Backend): boolean {
  return L7_ALGORITHMS.has(backend.model.balance.algorithm) || backend.persistence !== undefined;
}

/** A head parsed from bytes this session built itself (always complete and valid). */
function parseEditedHead(bytes: Uint8Array): RequestHead | undefined {
  const parser = new RequestHeadParser({ maxHeaders: MAX_HEADERS * 2 });
  try {
    parser.feed(bytes, 0);
  } catch {
    return undefined;
  }
  return parser.done ? (parser.head as RequestHead) : undefined;
}

function isIdempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'PUT' || method === 'DELETE' || method === 'TRACE';
}
