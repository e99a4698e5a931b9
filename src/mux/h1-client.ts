import type { Timeouts } from '../config/model.ts';
import type { Backend } from '../proxy/backend.ts';
import { sessionOpened } from '../proxy/counters.ts';
import { clientSessionEnded, type ProxySession, type SessionHost, type SessionView } from '../proxy/session.ts';
import type { Runtime, Socket, SocketError, SocketHandler, TimerHandle } from '../runtime.ts';
import { connectionModeOf } from '../http/http-options.ts';
import { allocFromSlab, viewOf } from '../http/codec/chars.ts';
import { BodyFramer, H_CONNECTION, HttpParseError, RequestHeadParser, type HeadEditor, type RequestHead, type ResponseHead } from '../http/codec/index.ts';
import { ReplyConnection, type LocalReply } from '../http/local-reply.ts';
import type { HttpClientSide } from '../stream/client-side.ts';
import { HttpStream } from '../stream/http-stream.ts';
import { ConnectionInfo } from '../proxy/connection-info.ts';
import { interimHeadBytes, prepareResponseHead, responseConnectionValue } from './h1-head-out.ts';
import { cleanConnectionHeaders, ConnectionToken } from './h1-connection-header.ts';
import { prefaceAt } from './http-upgrade.ts';
import { addToListener } from '../proxy/listener-stats.ts';
import type { SoftStopClosing } from '../proxy/soft-stop-closing.ts';

/**
 * Who serves a connection whose first bytes are the HTTP/2 preface (HAProxy's H1 mux hands
 * such a connection to its H2 mux, conn_upgrade_mux_fe): `input` is what was read from the
 * preface on. The session stays one session: counted once, not ended by the H1 side.
 */
export interface Http2Upgrader {
  upgradeToHttp2(from: H1ClientConnection, defaultBackend: Backend | undefined, input: Uint8Array): void;
}

/** Where the client connection is between and within transactions. */
type State =
  | 'idle' // waiting for (the rest of) a request head
  | 'txn' // a request is being served
  | 'tunnel' // after 101 Switching Protocols: raw bytes both ways
  | 'closing' // the last response was sent; waiting for the client to close
  | 'closed';

/** Client bytes kept while a transaction cannot consume them (pipelining, connect in progress). */
const BACKLOG_LIMIT = 64 * 1024;
/** HAProxy's tune.http.maxhdr is 101 slots, one of which ends the list: 100 header lines. */
const MAX_HEADERS = 100;
/** Batched output up to this size is joined into one write. */
const JOIN_LIMIT = 16 * 1024;
/**
 * How long a soft stop without `close-spread-time` leaves a kept-alive connection waiting for
 * its next request before closing it. HAProxy closes it at once, and a busy client's next
 * request, already sent (often already in the socket's receive buffer, which the close then
 * answers with a reset), fails: wrk counts dozens of read errors per reload of HAProxy 2.6.
 * Within this delay that request is answered, with `Connection: close`, and the client
 * reconnects to the new process.
 */
const DRAIN_IDLE_GRACE_MS = 100;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

/**
 * The client side of an HTTP/1 connection (HAProxy's mux_h1, frontend side): parses request
 * heads strictly and frames request bodies, holds pipelined bytes until the transaction in
 * flight is over, writes responses with backpressure, keeps the connection alive between
 * requests (`timeout http-request`, `http-keep-alive`, `client`), handles half-closes, and
 * becomes a byte pipe after a 101. Each transaction runs in the connection's HttpStream, which
 * is reused from one request to the next; this mux owns the client socket and the one timer
 * of the connection, asking the stream for its deadlines while a transaction is in flight.
 */
export class H1ClientConnection implements ProxySession, SocketHandler, HttpClientSide {
  readonly client: Socket;
  readonly connection: ConnectionInfo;
  readonly host: SessionHost;
  readonly runtime: Runtime;
  readonly acceptedAt: number;
  /**
   * The clock read once per event (socket event, timer, grant, kill), as HAProxy's now_ms per
   * poll loop: every timestamp of one event is the same, and the clock costs one call, not ten.
   */
  now: number;
  idleSince: number;
  requests = 0;
  closeAfter = false;
  /** The connection header prepareResponseHead chose, written last by sendResponseHead. */
  #responseConnection: string | undefined;

  readonly #stream: HttpStream;
  readonly #defaultBackend: Backend | undefined;
  /** Set when the first request may turn out to be an HTTP/2 preface (no `bind ... proto h1`, no `option disable-h2-upgrade`). */
  readonly #upgrader: Http2Upgrader | undefined;
  readonly #timeouts: { request: number | undefined; keepAlive: number | undefined; client: number | undefined };
  /** The frontend's own `option http-server-close|httpclose`: every response closes. */
  readonly #frontendCloses: boolean;
  readonly #reqParser: RequestHeadParser;
  readonly #reqFramer = new BodyFramer();
  #state: State = 'idle';
  /** The current request's head, the read it completed in and where it ended there (`show errors` of a bad body). */
  #headRaw: Uint8Array | undefined = undefined;
  #headRead: Uint8Array | undefined = undefined;
  #headEnd = 0;
  /**
   * Where the current input's (and the backlog's) first byte stands in HAProxy's input buffer:
   * the bytes consumed since it was last empty (`show errors`' "wraps at" of pipelined requests).
   */
  #inputBase = 0;
  #backlogBase = 0;
  #backlog: Uint8Array | undefined;
  #backlogPaused = false;
  /** Re-entrancy guard for #consumeClient (see there). */
  #consuming = false;
  #drainAgain = false;
  /** Set by a soft stop: how this connection is to end (src/proxy/soft-stop-closing.ts). */
  #stop: SoftStopClosing | undefined = undefined;
  /** When the soft stop closes this connection if no request came. */
  #drainDeadline = Infinity;
  #clientClosed = false;
  #clientEnded = false;
  /** The session was counted out (clientSessionEnded): at our FIN, or at teardown. */
  #sessionEnded = false;
  #clientLast: number;
  /** Reading paused because the server side cannot take more. */
  #clientHeld = false;
  #timer: TimerHandle | undefined;
  #timerDue = Infinity;
  /**
   * Bytes for the client produced while handling one server read (a response head and the
   * start of its body, an interim 100 then the final head...). They leave in one write: a
   * syscall per piece costs more than copying a few KiB (bench/PROFILE.md measured +14%).
   */
  #batching = false;
  readonly #out: Uint8Array[] = [];
  /** The frontend's `option independent-streams`: in a tunnel, bytes sent to the client do not refresh its timeout. */
  readonly #independent: boolean;
  #outBytes = 0;

  constructor(
    host: SessionHost,
    client: Socket,
    defaultBackend: Backend | undefined,
    connection: ConnectionInfo = new ConnectionInfo(client),
    upgrader?: Http2Upgrader,
  ) {
    this.host = host;
    this.#defaultBackend = defaultBackend;
    this.#upgrader = upgrader;
    this.runtime = host.runtime;
    // A head may fill the request buffer less its rewrite reserve (tune.bufsize - tune.maxrewrite).
    this.#reqParser = new RequestHeadParser({
      maxHeaders: MAX_HEADERS,
      maxHeadSize: host.limits.buffers.room,
      relaxed: host.model.options.acceptInvalidRequest === true,
      // The socket's chunks are ours (SocketHandler.onData): a head in one chunk stays a view of it.
      copyHead: false,
    });
    this.client = client;
    this.connection = connection;
    this.acceptedAt = this.runtime.now();
    this.now = this.acceptedAt;
    this.idleSince = this.acceptedAt;
    this.#clientLast = this.acceptedAt;
    this.#independent = host.model.options.independentStreams === true;
    this.#frontendCloses = connectionModeOf(host.model.http, undefined) === 'close';
    const t: Timeouts = host.timeouts;
    this.#timeouts = {
      request: t.httpRequest ?? t.client,
      keepAlive: t.httpKeepAlive ?? t.httpRequest ?? t.client,
      client: t.client,
    };
    this.#stream = new HttpStream(host, this, defaultBackend);
    sessionOpened(host.counters);
    client.setHandler(this);
    this.#schedule();
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }
  get tunnelling(): boolean {
    return this.#state === 'tunnel';
  }
  /** Read when a reply the proxy built is written: the soft stop's draw for its response too. */
  get lastTransaction(): boolean {
    return this.#stopCloses() || this.#clientEnded;
  }

  // ---- ProxySession ----------------------------------------------------------------------

  drain(closing: SoftStopClosing): void {
    this.now = this.runtime.now();
    this.#stop = closing;
    if (this.#state === 'idle') this.#armStopDeadline();
  }

  /**
   * When the soft stop closes this connection while it waits for a request. Without a window,
   * HAProxy closes only those waiting for their next request (H1C_F_WAIT_NEXT_REQ): a connection
   * just accepted gets its first request answered (with Connection: close), or it would be lost
   * to a reload; those waiting get a moment for a request already on its way
   * (DRAIN_IDLE_GRACE_MS). With a window, h1_refresh_timeout spreads every front connection
   * not yet in a transaction, first request included (which then ends as on its timeout).
   */
  #armStopDeadline(): void {
    const stop = this.#stop;
    // `option idle-close-on-response` (PR_O_IDLE_CLOSE_RESP): the next response closes instead.
    if (stop === undefined || this.host.model.options.idleCloseOnResponse === true) return;
    if (stop.mode === 'spread') this.#drainDeadline = stop.spreadDeadline(this.now, this.#idleDeadline() ?? Infinity);
    else if (stop.mode === 'at-once' && this.requests > 0 && !this.#reqParser.inProgress) this.#drainDeadline = this.now + DRAIN_IDLE_GRACE_MS;
    else return;
    this.#schedule();
  }

  /**
   * Whether this transaction is the connection's last, a soft stop drawing again each time
   * HAProxy's h1_set_cli_conn_mode does (the request, then the response).
   */
  #stopCloses(): boolean {
    if (!this.closeAfter && this.#stop !== undefined && this.#stop.closesActive(this.now)) this.closeAfter = true;
    return this.closeAfter;
  }

  drop(): void {
    if (this.#state === 'closed') return;
    if (!this.#clientClosed) {
      this.#clientClosed = true;
      this.client.reset();
    }
    this.destroy();
  }

  describe(): SessionView | undefined {
    // HAProxy's H1 mux has a stream for the first request from the start, then only while a
    // request is in progress: an idle keep-alive connection is no stream.
    if (this.#state === 'closed' || this.#state === 'closing' || (this.#state === 'idle' && this.requests > 0)) return undefined;
    const c = this.connection;
    return { clientAddress: c.clientAddress, clientPort: c.clientPort, acceptedAt: this.acceptedAt, backend: this.#stream.backend?.name, server: this.#stream.serverName };
  }

  kill(cause: 'K' | 'D' | 'U' = 'K'): void {
    if (this.#state === 'closed') return;
    this.now = this.runtime.now();
    const inFlight = this.#state === 'txn' || this.#state === 'tunnel';
    this.#stream.setTermination(cause, inFlight ? 'D' : 'R');
    // A transaction cut short is logged like any other (HAProxy logs killed streams).
    if (inFlight) this.#stream.log();
    this.destroy();
  }

  // ---- client input ----------------------------------------------------------------------

  onData(_socket: Socket, chunk: Uint8Array): void {
    const now = (this.now = this.runtime.now());
    this.host.counters.bin += chunk.byteLength;
    addToListener(this.connection.listenerCounters, 'bin', chunk.byteLength);
    this.#clientLast = now;
    if (this.#state === 'tunnel') return this.#stream.tunnelFromClient(chunk);
    if (this.#state === 'closing' || this.#state === 'closed') return;
    if (this.#backlog !== undefined) {
      this.#backlog = concat(this.#backlog, chunk);
      this.#drainBacklog();
    } else {
      this.#consumeClient(chunk);
    }
  }

  /**
   * Processes client bytes as far as the current state allows and keeps the rest as backlog.
   * Starting a request's server side can complete it synchronously (a pooled connection, a
   * generated error) and ask for the backlog again: that is looped here, not recursed into.
   */
  #consumeClient(data: Uint8Array, base = 0): void {
    if (this.#consuming) {
      if (this.#backlog === undefined) this.#backlogBase = 0;
      this.#backlog = this.#backlog === undefined ? data : concat(this.#backlog, data);
      this.#drainAgain = true;
      return;
    }
    this.#consuming = true;
    let input: Uint8Array | undefined = data;
    this.#inputBase = base;
    while (input !== undefined) {
      this.#drainAgain = false;
      const used = this.#processClient(input, 0);
      if (used < input.byteLength && this.#state !== 'closed' && this.#state !== 'closing') {
        this.#backlog = this.#backlog === undefined ? input.subarray(used) : concat(input.subarray(used), this.#backlog);
        this.#backlogBase = this.#inputBase + used;
      }
      // A new request goes to a server only once the bytes that came with its head are framed.
      if (this.#state === 'txn' && this.#stream.readyToStart) this.#stream.start();
      input = undefined;
      if (this.#drainAgain && this.#backlog !== undefined && this.#state === 'idle') {
        input = this.#backlog;
        this.#backlog = undefined;
        this.#inputBase = this.#backlogBase;
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
    this.#consumeClient(backlog, this.#backlogBase);
  }

  /** Returns how many bytes of data[off..] were consumed. */
  #processClient(data: Uint8Array, off: number): number {
    const end = data.byteLength;
    const stream = this.#stream;
    while (off < end) {
      if (this.#state === 'idle') {
        if (this.requests === 0 && this.#upgrader !== undefined && !this.#reqParser.inProgress) {
          // The first request may be HTTP/2's preface: wait for all of it before parsing.
          const preface = prefaceAt(data, off);
          if (preface === 'partial') return off;
          if (preface === 'match') {
            this.#upgradeToHttp2(this.#upgrader, off === 0 ? data : data.subarray(off));
            return end;
          }
        }
        if (stream.requestStartedAt < 0) stream.requestStarted();
        const start = off;
        try {
          const used = this.#reqParser.feed(data, off);
          off += used;
          stream.countRequestBytes(used);
        } catch (error) {
          const input = this.#reqParser.inputAtError(data, off);
          stream.captureRequest({ ...input, refused: true, bufferOffset: this.#inputBase + start, full: error instanceof HttpParseError && error.code === 'HEAD_TOO_LARGE' }, this.requests > 0, false);
          stream.badRequest(error);
          return end;
        }
        if (!this.#reqParser.done) return off;
        const head = this.#reqParser.head as RequestHead;
        // `option accept-invalid-http-request` let an invalid byte through: HAProxy captures it too.
        if (this.#reqParser.relaxedAt >= 0) {
          stream.captureRequest({ bytes: concat(head.raw, data.subarray(off)), errorAt: this.#reqParser.relaxedAt, refused: false, head: head.raw, bufferOffset: this.#inputBase + start }, this.requests > 0, false);
        }
        this.#headRaw = head.raw;
        this.#headRead = data;
        this.#headEnd = off;
        this.#reqParser.reset();
        this.#beginTransaction(head);
        continue;
      }
      if (this.#state === 'txn' && !stream.requestComplete) {
        // The body is framed (validated) as it arrives, before anything of it is forwarded:
        // an invalid chunk that came with the head gets a 400 and reaches no server.
        const start = off;
        try {
          off += this.#reqFramer.feed(data, off);
        } catch (error) {
          this.#captureBadBody(data, start, error);
          stream.badRequestBody(error);
          return end;
        }
        if (off > start) stream.countRequestBytes(off - start);
        // Redundant leading zeros of a chunk size are not forwarded (see BodyFramer.discard).
        if (off > start && !this.#reqFramer.discard) stream.requestData(viewOf(data, start, off));
        if (this.#reqFramer.done) stream.requestEnd();
        continue;
      }
      if (this.#state === 'tunnel') {
        stream.tunnelFromClient(off === 0 ? data : data.subarray(off));
        return end;
      }
      return off;
    }
    return off;
  }

  /**
   * An invalid request body, for `show errors`: with its head when both came in one read (the
   * mux's buffer then holds both), else the bytes of this read from the body's part.
   */
  #captureBadBody(data: Uint8Array, start: number, error: unknown): void {
    const head = this.#headRaw;
    if (head === undefined) return;
    const offset = error instanceof HttpParseError ? error.offset : -1;
    const notFirst = this.requests > 1;
    if (data === this.#headRead) {
      const bytes = concat(head, data.subarray(this.#headEnd));
      this.#stream.captureRequest({ bytes, errorAt: offset >= 0 ? head.byteLength + offset : bytes.byteLength, refused: true, head, bufferOffset: Math.max(0, this.#inputBase + this.#headEnd - head.byteLength) }, notFirst, false);
    } else {
      const bytes = data.subarray(start);
      const at = offset >= 0 ? offset - this.#reqFramer.bytesConsumed : bytes.byteLength;
      this.#stream.captureRequest({ bytes: bytes.slice(), errorAt: at, refused: true, head }, notFirst, true);
    }
  }

  #beginTransaction(head: RequestHead): void {
    this.#state = 'txn';
    this.requests++;
    this.connection.notFirstTransaction = this.requests > 1;
    this.#reqFramer.startRequest(head);
    // A client that half-closed is closed after its last pipelined request (#nextRequest).
    this.closeAfter = this.#frontendCloses || head.mustClose;
    this.#stopCloses();
    this.#stream.begin(head, this.#reqFramer.done);
  }

  // ---- HttpClientSide: what the stream asks ------------------------------------------------

  clientDeadline(): number | undefined {
    if (this.#clientHeld) return undefined;
    const t = this.#timeouts.client;
    return t === undefined ? undefined : this.#clientLast + t;
  }

  sendInterim(head: ResponseHead): number {
    const bytes = interimHeadBytes(head);
    this.sendHead(bytes);
    return bytes.byteLength;
  }

  prepareResponseHead(req: RequestHead, head: ResponseHead, editor: HeadEditor): void {
    // A soft stop that came while the request was in flight closes after this response: it says
    // so (HAProxy's h1_set_cli_conn_mode sees the stopped proxy when the response is formatted),
    // or the client sends its next request into the close.
    prepareResponseHead(head, editor);
    this.#responseConnection = responseConnectionValue(req, this.#stopCloses());
  }

  sendResponseHead(editor: HeadEditor): number {
    const connection = this.#finishConnectionHeader(editor, this.#responseConnection);
    if (connection !== undefined) editor.append(H_CONNECTION, connection);
    this.#responseConnection = undefined;
    const bytes = editor.build();
    this.sendHead(bytes);
    return bytes.byteLength;
  }

  sendReply(reply: LocalReply, connection: ReplyConnection, headOnly: boolean): number {
    const bytes = reply.encode(connection);
    const sent = headOnly ? bytes.subarray(0, bytes.byteLength - reply.bodyLength) : bytes;
    this.sendHead(sent);
    return sent.byteLength;
  }

  sendEditedReply(editor: HeadEditor, connection: string | undefined, payload: Uint8Array): number {
    const value = this.#finishConnectionHeader(editor, connection);
    if (value !== undefined) editor.append(H_CONNECTION, value);
    const head = editor.build();
    // One write for the whole reply, as the pre-encoded ones (a slab view where it fits).
    const out = allocFromSlab(head.byteLength + payload.byteLength);
    out.set(head, 0);
    out.set(payload, head.byteLength);
    this.sendHead(out);
    return out.byteLength;
  }

  /**
   * h1_process_mux reads the connection headers the rules left: a `close` ends the connection
   * after this response whatever the client asked (the mux writes `connection: close`), an
   * `upgrade` token keeps the mux from writing its own value (h1_update_res_conn_value).
   */
  #finishConnectionHeader(editor: HeadEditor, value: string | undefined): string | undefined {
    if (editor.appendedCount === 0) return value;
    const tokens = cleanConnectionHeaders(editor);
    if ((tokens & ConnectionToken.close) !== 0) {
      this.closeAfter = true;
      value = 'close';
    }
    return (tokens & ConnectionToken.upgrade) !== 0 ? undefined : value;
  }

  sendHead(bytes: Uint8Array): void {
    const headerCase = this.host.headerCase;
    this.sendData(headerCase === undefined ? bytes : headerCase.adjust(bytes));
  }

  /** What the H1 mux appends to a reply the proxy built (connection: close / keep-alive) follows the request's version. */
  replyConnection(req: RequestHead | undefined, close: boolean): ReplyConnection {
    return close ? ReplyConnection.close : req?.versionMinor === 0 ? ReplyConnection.keepAlive : ReplyConnection.none;
  }

  sendData(bytes: Uint8Array): void {
    this.host.counters.bout += bytes.byteLength;
    addToListener(this.connection.listenerCounters, 'bout', bytes.byteLength);
    // Tunnel bytes sent to the client keep its timeout away unless streams are independent.
    if (!this.#independent || this.#state !== 'tunnel') this.#clientLast = this.now;
    if (this.#batching) {
      this.#out.push(bytes);
      this.#outBytes += bytes.byteLength;
      return;
    }
    this.#sendClient(bytes);
  }

  cork(): void {
    this.#batching = true;
  }

  uncork(): void {
    this.#batching = false;
    this.#flushClient();
  }

  holdRequest(): void {
    if (this.#clientHeld) return;
    this.#clientHeld = true;
    this.client.pause();
  }

  releaseRequest(): void {
    if (!this.#clientHeld) return;
    this.#clientHeld = false;
    if (!this.#backlogPaused) this.client.resume();
  }

  schedule(): void {
    this.#schedule();
  }

  transactionEnded(close: boolean): void {
    if (close) this.#closeClient();
    else this.#nextRequest();
  }

  enterTunnel(): void {
    this.#state = 'tunnel';
    this.#stream.log();
    const backlog = this.#backlog;
    this.#backlog = undefined;
    if (backlog !== undefined) this.#stream.tunnelFromClient(backlog);
    if (this.#backlogPaused) {
      this.#backlogPaused = false;
      this.client.resume();
    }
    this.#schedule();
  }

  shutdown(): void {
    if (!this.#clientClosed) this.client.end();
  }

  #sendClient(bytes: Uint8Array): void {
    if (!this.client.write(bytes)) this.#stream.clientBlocked();
  }

  /** Sends what sendData batched; must run before the client is ended or destroyed. */
  #flushClient(): void {
    const out = this.#out;
    const n = out.length;
    if (n === 0) return;
    if (n === 1) {
      this.#sendClient(out[0] as Uint8Array);
    } else if (this.#outBytes <= JOIN_LIMIT) {
      // A slab view, not a fresh ArrayBuffer: V8 allocates a small one for ten times the price.
      const joined = allocFromSlab(this.#outBytes);
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

  // ---- between transactions --------------------------------------------------------------

  /** After a transaction: wait for the next request on this connection, or close it. */
  #nextRequest(): void {
    // A client that half-closed may still have pipelined requests to be served.
    // A stop without a window that came after this response's head was sent closes all the same.
    if (this.closeAfter || this.#stop?.mode === 'at-once' || (this.#clientEnded && this.#backlog === undefined)) return this.#closeClient();
    this.#state = 'idle';
    this.#headRaw = this.#headRead = undefined;
    this.idleSince = this.now;
    this.#drainDeadline = Infinity;
    this.#armStopDeadline();
    this.#schedule();
    this.releaseRequest();
    this.#drainBacklog();
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
      addToListener(this.connection.listenerCounters, 'ereq');
      return this.#stream.fail(400, 'C', 'R');
    }
    // `option http-ignore-probes`: nothing came, as between keep-alive requests (mux_h1.c's PR_O_IGNORE_PRB).
    if (this.requests > 0 || this.host.model.options.ignoreProbes === true) return this.#closeClient();
    this.host.counters.ereq++;
    addToListener(this.connection.listenerCounters, 'ereq');
    // A connection that sent nothing (a probe, a TCP health check) is what dontlognull silences.
    this.#stream.fail(400, 'C', 'R', !(this.host.model.options.dontlognull && this.#stream.requestStartedAt < 0));
  }

  /**
   * Sends our FIN after the queued response. The session ends once the response is in the
   * kernel's hands (onFinished), as HAProxy's ends when it closes the socket after the response
   * (the connection's slot under `maxconn`, CurrConns and the tracked `conn_cur` are free at
   * once); the socket itself lingers until the client's FIN or `timeout client`, as the
   * kernel's orphan would, so that the response is not cut by a reset if the client still sends.
   */
  #closeClient(): void {
    this.#flushClient();
    this.#state = 'closing';
    this.#backlog = undefined;
    this.client.end();
    this.#schedule();
  }

  onFinished(_socket: Socket): void {
    if (this.#state !== 'closing') return;
    this.now = this.runtime.now();
    this.#endSession();
  }

  #endSession(): void {
    if (this.#sessionEnded) return;
    this.#sessionEnded = true;
    clientSessionEnded(this.host, this, this.connection, this.now);
  }

  // ---- client socket events --------------------------------------------------------------

  onDrain(_socket: Socket): void {
    this.#clientLast = this.now = this.runtime.now();
    this.#stream.clientDrained();
  }

  onEnd(_socket: Socket): void {
    this.now = this.runtime.now();
    this.#clientEnded = true;
    switch (this.#state) {
      case 'tunnel':
        return this.#stream.clientEnded();
      case 'idle':
        return this.#clientEndedIdle();
      case 'txn':
        this.#stream.clientEnded();
        if (this.#state !== 'txn') return;
        // The request is complete: serve it, and the requests pipelined behind it, then close
        // (HAProxy does not forward the FIN). Without pipelined bytes this is the last response.
        if (this.#backlog === undefined) this.closeAfter = true;
        return;
      default:
        // Closing and the client finished too: its socket closes by itself once our FIN is out.
        return;
    }
  }

  onClose(_socket: Socket, _error: SocketError | undefined): void {
    this.now = this.runtime.now();
    this.#clientClosed = true;
    if (this.#state === 'closed') return;
    if (this.#state === 'txn' || this.#state === 'tunnel') this.#stream.clientAborted();
    else if (this.#state === 'idle' && this.#reqParser.inProgress) this.#stream.setTermination('C', 'R');
    this.destroy();
  }

  // ---- timeouts --------------------------------------------------------------------------

  #schedule(): void {
    const due = this.#nextDeadline();
    if (due === undefined || due >= this.#timerDue) return;
    if (this.#timer !== undefined) this.runtime.clearTimer(this.#timer);
    this.#timerDue = due;
    this.#timer = this.runtime.setTimer(this.#onTimer, Math.max(0, due - this.now));
  }

  #nextDeadline(): number | undefined {
    switch (this.#state) {
      case 'idle': {
        // Without a window, a request that has begun may finish: the short delay is for one not yet come.
        const stop = this.#reqParser.inProgress && this.#stop?.mode === 'at-once' ? Infinity : this.#drainDeadline;
        const due = Math.min(this.#idleDeadline() ?? Infinity, stop);
        return due === Infinity ? undefined : due;
      }
      case 'txn':
        return this.#stream.deadline();
      case 'tunnel':
        return this.#stream.tunnelDeadline(this.#clientLast, this.#timeouts.client);
      case 'closing':
        return this.clientDeadline() ?? this.now + 5000;
      case 'closed':
        return undefined;
    }
  }

  /** The idle connection's own deadline: `timeout http-request` for a request, else `http-keep-alive`. */
  #idleDeadline(): number | undefined {
    if (this.#reqParser.inProgress || this.requests === 0) {
      const t = this.#timeouts.request;
      const started = this.#stream.requestStartedAt;
      const from = started >= 0 && this.requests > 0 ? started : this.idleSince;
      return t === undefined ? undefined : from + t;
    }
    const t = this.#timeouts.keepAlive;
    return t === undefined ? undefined : this.idleSince + t;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.#state === 'closed') return;
    const now = (this.now = this.runtime.now());
    const due = this.#nextDeadline();
    if (due !== undefined && now >= due) this.#expire(now);
    this.#schedule(); // no-op once closed: there is no deadline left
  };

  #expire(now: number): void {
    switch (this.#state) {
      case 'idle':
        if (this.#reqParser.inProgress || (this.requests === 0 && this.host.model.options.ignoreProbes !== true)) {
          this.host.counters.ereq++;
          addToListener(this.connection.listenerCounters, 'ereq');
          return this.#stream.fail(408, 'c', 'R');
        }
        if (this.#stop !== undefined) return this.#closeClient();
        // `timeout http-keep-alive`: HAProxy releases the idle connection outright (close(),
        // FIN) rather than half-closing it and holding the socket until the client's FIN or
        // `timeout client`; nothing is in flight and nothing is logged.
        return this.destroy();
      case 'txn':
        return this.#stream.expire(now);
      case 'tunnel':
        this.#stream.setTermination('c', 'D');
        return this.destroy();
      case 'closing':
        return this.destroy();
      case 'closed':
        return;
    }
  }

  // ---- teardown --------------------------------------------------------------------------

  /**
   * The client spoke HTTP/2 (its preface on a bind without `proto`): the H2 mux takes the
   * connection and the bytes from the preface on. This side lets go without closing the
   * socket or ending the session, and no transaction began, so nothing is logged.
   */
  #upgradeToHttp2(upgrader: Http2Upgrader, input: Uint8Array): void {
    this.#state = 'closed';
    this.#backlog = undefined;
    if (this.#timer !== undefined) {
      this.runtime.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    this.#timerDue = Infinity;
    this.#reqParser.release();
    // The H2 side counts what it reads: these bytes were counted here already.
    this.host.counters.bin -= input.byteLength;
    upgrader.upgradeToHttp2(this, this.#defaultBackend, input);
  }

  destroy(): void {
    if (this.#state === 'closed') return;
    this.#out.length = 0; // the client is destroyed: queued bytes are dropped with it
    this.#outBytes = 0;
    this.#stream.abort();
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
    this.#endSession();
  }
}
