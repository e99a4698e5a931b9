/**
 * One health-check run against one server: connect (TCP or TLS), and for HTTP checks send the
 * request, read the response with the strict codec (bounded: one head, at most CHECK_BUFFER
 * body bytes) and evaluate the expect rules. It reports exactly one CheckOutcome and leaves
 * no socket or timer behind, whether it passes, fails, times out or is aborted.
 *
 * Statuses and infos follow HAProxy 2.6 (check.c chk_report_conn_err, tcpcheck.c):
 *   connect refused/reset/unreachable  L4CON  info: strerror text ("Connection refused")
 *   no connection before the deadline  L4TOUT (no info)
 *   TLS handshake failed               L6RSP  info: "SSL handshake failure"
 *   connected (tcp check)              L4OK, or L6OK over TLS
 *   closed with nothing read           L7RSP (no info: 2.6's H1 mux reports it as a parsing
 *                                      error; 2.2-2.4 said "TCPCHK got an empty response")
 *   malformed or cut-short response    L7RSP (no info)
 *   no response before the deadline    L7TOUT (no info)
 *   reset with nothing read            SOCKERR info: strerror text
 *   expect rules                       L7OK / L7STS / L7RSP (see http-expect.ts)
 */
import type { HeaderCaseMap } from '../mux/h1-header-case.ts';
import { SslCountedSocket, TOO_MANY_SSL_CONNECTIONS, type SslConnectionCounts } from '../stream/ssl-counted-socket.ts';
import { type ConnectSource, sourceBinding } from '../proxy/connect-source.ts';
import { BodyFramer, ResponseHeadParser, latin1String, type ResponseHead } from '../http/codec/index.ts';
import type { ConnectTlsOptions, Runtime, Socket, SocketError, SocketErrorCode, SocketHandler, TimerHandle } from '../runtime.ts';
import type { CheckOutcome } from './check-status.ts';
import { proxyHeaderV2, proxyLineV1 } from '../proxy/proxy-protocol.ts';
import { evaluateExpectation, type HttpExpectation } from './http-expect.ts';
import type { TcpCheckRuleSet } from './tcp-check/rules.ts';
import { connectViaSocks4, isSocks4Error, type Socks4Proxy } from '../proxy/socks4-connect.ts';
import { checkSampleContext, CheckVars, type CheckSubject } from './check-sample-context.ts';
import type { ProcessVars } from '../rules/vars.ts';
import type { HttpCheckPlan } from './http-check-plan.ts';
import { H2ServerConnection } from '../mux/h2-server.ts';
import { failedDuringHandshake } from '../proxy/connection-error.ts';
import { closeCheckConnection } from './check-connection-close.ts';

/** HAProxy's check buffer (tune.bufsize): body bytes beyond it are not looked at. */
export const CHECK_BUFFER = 16384;

export interface HttpProbeSpec {
  /** The serialized request (http-check-request.ts). */
  readonly request: Uint8Array;
  /** Its method, for response framing (HEAD has no body). */
  readonly method: string;
  readonly expectation: HttpExpectation;
  /** The check run's variables, shared with the steps before this request (http-check-sequence.ts). */
  readonly vars?: CheckVars | undefined;
  /** `http-check disable-on-404`: true while a 404 is a soft stop (the server is not DOWN). */
  readonly disableOn404?: (() => boolean) | undefined;
}

export interface ProbeSpec {
  readonly host: string;
  readonly port: number;
  /** A UNIX socket server's path, dialled instead of host and port. */
  readonly path?: string | undefined;
  readonly tls: ConnectTlsOptions | undefined;
  /** undefined: a plain connect check. */
  readonly http: HttpProbeSpec | undefined;
  /** ms allowed from the start until the connection is established. */
  readonly connectTimeout: number;
  /**
   * ms allowed for the response once the request is sent (`timeout check`); undefined: the
   * connect deadline keeps running and bounds the whole check (HAProxy without `timeout check`).
   */
  readonly readTimeout: number | undefined;
  /**
   * `check-send-proxy` (or the server's `send-proxy*`): the check starts with a PROXY header, as
   * HAProxy's conn_send_proxy builds it for a connection it initiated itself: v1 carries the
   * check connection's own addresses, v2 is a LOCAL header.
   */
  readonly proxyHeader?: 1 | 2 | undefined;
  /**
   * `pp2-never-send-local`: the v2 header is a PROXY command with the check connection's own
   * addresses (connection.c's make_proxy_line_v2), written once connected.
   */
  readonly proxyV2Addresses?: boolean | undefined;
  /** `tcp-check` rules or a protocol check: TcpCheckProbe runs them instead of this probe. */
  readonly tcpRules?: TcpCheckRuleSet | undefined;
  /** `source`: the local address (and port) of the check's connections, as the server's. */
  readonly source?: ConnectSource | undefined;
  /** The server's `socks4` proxy: `tcp-check connect via-socks4` goes through it. */
  readonly socks4?: Socks4Proxy | undefined;
  /** `check-via-socks4`: default connects (and HTTP/connect checks) go through `socks4` too. */
  readonly viaSocks4?: boolean | undefined;
  /** The backend and server checked (`be_name`, `srv_name` in set-var and `-lf` patterns). */
  readonly subject?: CheckSubject | undefined;
  /** The generation's `proc.*` variables, which check rules share with the traffic rules. */
  readonly procVars?: ProcessVars | undefined;
  /** HTTP over HTTP/2 with prior knowledge (`check-proto h2`, the server's `proto h2`, `http-check connect proto h2`). */
  readonly h2?: boolean | undefined;
  /** `http-check connect`, `-lf` values, set-var before the send: the HTTP check runs as a sequence (http-check-sequence.ts). */
  readonly httpPlan?: HttpCheckPlan | undefined;
  /** `http-check send-state`: the X-Haproxy-Server-State value, built for each check. */
  readonly serverState?: (() => string) | undefined;
  /** `http-check disable-on-404`: true while a 404 is a soft stop (the server is not DOWN). */
  readonly disableOn404?: (() => boolean) | undefined;
  /** Where a probe over TLS is counted among the process's TLS connections. */
  readonly sslCounts?: SslConnectionCounts | undefined;
  /** `option h1-case-adjust-bogus-server`: the HTTP/1 check request spells these names their way, as the backend's requests. */
  readonly headerCase?: HeaderCaseMap | undefined;
  /**
   * `http-check connect linger`: the check's connection ends with a FIN. Without it HAProxy's
   * check connections carry FD_LINGER_RISK and end with a reset (SO_LINGER 0), so the server
   * keeps no TIME_WAIT (check-connection-close.ts).
   */
  readonly linger?: boolean | undefined;
}

const STRERROR: Partial<Record<SocketErrorCode, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  // connect() fails at once: HAProxy reports its CO_ER_SOCK_ERR text with strerror.
  ENETUNREACH: 'General socket error (Network is unreachable)',
  ENOTFOUND: 'Name or service not known',
  EPIPE: 'Broken pipe',
};

export function errorText(error: SocketError): string {
  return STRERROR[error.code] ?? error.message;
}

export class CheckProbe implements SocketHandler {
  readonly #runtime: Runtime;
  readonly #spec: ProbeSpec;
  readonly #onDone: (outcome: CheckOutcome) => void;
  #socket: Socket | undefined;
  /** The TCP (or TLS) connection under an HTTP/2 stream (#socket): the one a check closes. */
  #transport: Socket | undefined;
  #timer: TimerHandle | undefined;
  #connected = false;
  #finished = false;
  #bytesRead = 0;
  #parser: ResponseHeadParser | undefined;
  #head: ResponseHead | undefined;
  #framer: BodyFramer | undefined;
  #body: Uint8Array[] = [];
  #bodyBytes = 0;

  constructor(runtime: Runtime, spec: ProbeSpec, onDone: (outcome: CheckOutcome) => void) {
    this.#runtime = runtime;
    this.#spec = spec;
    this.#onDone = onDone;
  }

  /**
   * The v2 header names the connection's addresses: only on a plain check, where it can follow
   * the connect (the configuration refuses it with TLS; an `add server` TLS check stays LOCAL).
   */
  get #v2Addresses(): boolean {
    return this.#spec.proxyV2Addresses === true && this.#spec.tls === undefined;
  }

  get finished(): boolean {
    return this.#finished;
  }

  start(): void {
    const spec = this.#spec;
    this.#timer = this.#runtime.setTimer(() => this.#expired(), spec.connectTimeout);
    // A v2 check header (LOCAL, no addresses) is known before connecting: on TLS it goes in
    // clear before the handshake.
    const v2 = spec.proxyHeader === 2 && !this.#v2Addresses ? proxyHeaderV2(undefined, {}, {}) : undefined;
    const tls = spec.tls !== undefined && v2 !== undefined ? { ...spec.tls, preface: v2 } : spec.tls;
    if (tls !== undefined && spec.sslCounts?.sslConnectionsFull === true) {
      // conn_prepare fails (`maxsslconn`): reported at once, as HAProxy's chk_report_conn_err.
      this.#clearTimer();
      this.#timer = this.#runtime.setTimer(() => this.#finish({ status: 'L7TOUT', code: undefined, desc: TOO_MANY_SSL_CONNECTIONS }), 0);
      return;
    }
    const options = { host: spec.host, port: spec.port, path: spec.path, noDelay: true, ...(tls ? { tls } : {}), ...sourceBinding(spec.source, spec.path !== undefined) };
    if (spec.viaSocks4 === true && spec.socks4 !== undefined) this.#socket = connectViaSocks4(this.#runtime, spec.socks4, options, this);
    else if (tls !== undefined && spec.sslCounts !== undefined) this.#socket = new SslCountedSocket(this.#runtime.connect(options, this), this, spec.sslCounts);
    else this.#socket = this.#runtime.connect(options, this);
    if (v2 !== undefined && spec.tls === undefined) this.#socket.write(v2);
  }

  /** Stops without reporting (the service is stopping). */
  abort(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#release(false);
  }

  onConnect(socket: Socket): void {
    if (this.#finished) return;
    this.#connected = true;
    if (this.#spec.proxyHeader === 1) {
      socket.write(proxyLineV1({ clientAddress: socket.localAddress, clientPort: socket.localPort, localAddress: socket.remoteAddress, localPort: socket.remotePort }));
    } else if (this.#spec.proxyHeader === 2 && this.#v2Addresses) {
      const from = { clientAddress: socket.localAddress, clientPort: socket.localPort, localAddress: socket.remoteAddress, localPort: socket.remotePort };
      socket.write(proxyHeaderV2(from, {}, {}));
    }
    const http = this.#spec.http;
    if (http === undefined) {
      this.#finish({ status: this.#spec.tls ? 'L6OK' : 'L4OK', code: undefined, desc: '' });
      return;
    }
    this.#parser = new ResponseHeadParser();
    let out = socket;
    if (this.#spec.h2 === true) {
      // The HTTP/2 mux carries the HTTP/1 request as a stream and gives the response back as HTTP/1 bytes.
      this.#transport = socket;
      this.#socket = out = new H2ServerConnection(socket, this.#runtime).openStream(this);
    }
    const headerCase = this.#spec.headerCase;
    out.write(headerCase === undefined || this.#spec.h2 === true ? http.request : headerCase.adjust(http.request));
    if (this.#spec.readTimeout !== undefined) {
      this.#clearTimer();
      this.#timer = this.#runtime.setTimer(() => this.#expired(), this.#spec.readTimeout);
    }
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.#finished || this.#spec.http === undefined) return;
    this.#bytesRead += chunk.byteLength;
    try {
      this.#consume(chunk);
    } catch {
      // A malformed head or body framing: HAProxy's HTX parsing error, L7RSP without info.
      this.#finish({ status: 'L7RSP', code: this.#head?.status, desc: '' });
    }
  }

  onEnd(): void {
    if (this.#finished) return;
    this.#lastRead(undefined);
  }

  onDrain(): void {}

  onClose(_socket: Socket, error: SocketError | undefined): void {
    this.#socket = undefined;
    this.#transport = undefined;
    if (this.#finished) return;
    if (!this.#connected) {
      // The SOCKS4 proxy refused or failed after L4: HAProxy's I/O error after connection (SOCKERR).
      if (isSocks4Error(error)) this.#finish({ status: 'SOCKERR', code: undefined, desc: (error as SocketError).message });
      else if (failedDuringHandshake(this.#spec.tls !== undefined, error)) this.#finish({ status: 'L6RSP', code: undefined, desc: 'SSL handshake failure' });
      else this.#finish({ status: 'L4CON', code: undefined, desc: error === undefined ? '' : errorText(error) });
      return;
    }
    this.#lastRead(error);
  }

  #consume(chunk: Uint8Array): void {
    const http = this.#spec.http as HttpProbeSpec;
    let offset = 0;
    while (offset < chunk.byteLength && !this.#finished) {
      if (this.#head === undefined) {
        const parser = this.#parser as ResponseHeadParser;
        offset += parser.feed(chunk, offset);
        if (!parser.done) return;
        const head = parser.head as ResponseHead;
        if (head.interim) {
          parser.reset();
          continue;
        }
        this.#head = head;
        if (!http.expectation.needsBody) {
          this.#evaluate();
          return;
        }
        const framer = new BodyFramer().startResponse(head, http.method);
        framer.onData = (data, start, end) => this.#keepBody(data, start, end);
        this.#framer = framer;
        if (framer.done) {
          this.#evaluate();
          return;
        }
      } else {
        const framer = this.#framer as BodyFramer;
        offset += framer.feed(chunk, offset);
        // A full check buffer is HAProxy's "last read": decide on what we have.
        if (framer.done || this.#bodyBytes >= CHECK_BUFFER) {
          this.#evaluate();
          return;
        }
      }
    }
  }

  #keepBody(data: Uint8Array, start: number, end: number): void {
    const room = CHECK_BUFFER - this.#bodyBytes;
    if (room <= 0) return;
    const n = Math.min(room, end - start);
    this.#body.push(data.slice(start, start + n));
    this.#bodyBytes += n;
  }

  /** The server closed (or reset) its side after we connected. */
  #lastRead(error: SocketError | undefined): void {
    if (this.#spec.http === undefined) return;
    if (this.#head !== undefined) {
      try {
        (this.#framer as BodyFramer).eof();
        this.#evaluate();
      } catch {
        this.#finish({ status: 'L7RSP', code: this.#head.status, desc: '' });
      }
      return;
    }
    if (this.#bytesRead === 0) {
      if (error !== undefined) this.#finish({ status: 'SOCKERR', code: undefined, desc: errorText(error) });
      else this.#finish({ status: 'L7RSP', code: undefined, desc: '' });
      return;
    }
    this.#finish({ status: 'L7RSP', code: undefined, desc: '' });
  }

  #evaluate(): void {
    const head = this.#head as ResponseHead;
    let body = '';
    if (this.#bodyBytes > 0) {
      const all = new Uint8Array(this.#bodyBytes);
      let at = 0;
      for (const part of this.#body) {
        all.set(part, at);
        at += part.byteLength;
      }
      body = latin1String(all, 0, all.byteLength);
    }
    const http = this.#spec.http as HttpProbeSpec;
    const context = checkSampleContext(this.#spec.subject, head, http.vars ?? new CheckVars(this.#spec.procVars));
    const response = { status: head.status, reason: head.reason, body, headers: head.entries(), context };
    this.#finish(evaluateExpectation(http.expectation, response, http.disableOn404?.() === true));
  }

  #expired(): void {
    this.#timer = undefined;
    if (this.#finished) return;
    // A connected HTTP check waits on its first expect rule, whose `tout-status` then applies.
    const connectedStatus = this.#spec.http?.expectation.timeoutStatus ?? 'L7TOUT';
    this.#finish({ status: this.#connected ? connectedStatus : 'L4TOUT', code: undefined, desc: '' });
  }

  #finish(outcome: CheckOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#release();
    this.#onDone(outcome);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      this.#runtime.clearTimer(this.#timer);
      this.#timer = undefined;
    }
  }

  /** `graceful` false: the service is stopping, nothing waits for the server's close. */
  #release(graceful = true): void {
    this.#clearTimer();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#parser?.release();
    this.#parser = undefined;
    this.#framer = undefined;
    this.#body = [];
    if (socket === undefined) return;
    const transport = this.#transport;
    this.#transport = undefined;
    const tlsEstablished = this.#connected && this.#spec.tls !== undefined;
    const linger = this.#spec.linger === true;
    if (transport === undefined) {
      closeCheckConnection(this.#runtime, socket, tlsEstablished, linger, graceful);
      return;
    }
    // HTTP/2: HAProxy's check drops its connection without a GOAWAY (h2_release), reset as any
    // check connection; the HTTP/2 connection hears of it through the transport's close. Over
    // TLS the stream's close lets the connection end gracefully (GOAWAY, close_notify, FIN), so
    // that the server sees the handshake complete.
    if (tlsEstablished && graceful) socket.destroy();
    else closeCheckConnection(this.#runtime, transport, false, linger);
  }
}
