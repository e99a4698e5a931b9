/**
 * One run of a tcp-check rule set against one server (HAProxy's tcpcheck_main): connect, send
 * and expect rules in order over one connection at a time, reading into one bounded buffer
 * that each connect and send empties. An expect waiting for data resumes from the first expect
 * of its run with what arrived; the check reports exactly one CheckOutcome and leaves no socket
 * or timer behind.
 *
 * Messages follow tcpcheck.c / check.c chk_report_conn_err: for user rules a connection error
 * or timeout says where ("Connection refused at step 2 of tcp-check (connect port 1)"), an
 * expect failure what ("TCPCHK did not match content 'x' at step 3"), a pass "(tcp-check)".
 */
import { SslCountedSocket, TOO_MANY_SSL_CONNECTIONS } from '../../stream/ssl-counted-socket.ts';
import { sourceBinding } from '../../proxy/connect-source.ts';
import type { ConnectTlsOptions, Runtime, Socket, SocketError, SocketHandler, TimerHandle } from '../../runtime.ts';
import { proxyHeaderV2, proxyLineV1 } from '../../proxy/proxy-protocol.ts';
import { connectViaSocks4, isSocks4Error } from '../../proxy/socks4-connect.ts';
import { CHECK_BUFFER, errorText, type ProbeSpec } from '../check-probe.ts';
import { closeCheckConnection } from '../check-connection-close.ts';
import { failedDuringHandshake } from '../../proxy/connection-error.ts';
import type { CheckOutcome, CheckStatus } from '../check-status.ts';
import type { ConnectRule, ExpectRule, TcpCheckRule, TcpCheckRuleSet } from './rules.ts';
import { checkSampleContext, CheckVars } from '../check-sample-context.ts';
import type { SampleContext } from '../../rules/sample-fetch.ts';
import { Payload } from '../../rules/payload.ts';

export class TcpCheckProbe implements SocketHandler {
  readonly #runtime: Runtime;
  readonly #spec: ProbeSpec;
  readonly #set: TcpCheckRuleSet;
  readonly #onDone: (outcome: CheckOutcome) => void;
  #socket: Socket | undefined;
  #timer: TimerHandle | undefined;
  #finished = false;
  /** Index of the rule being evaluated (HAProxy's current_step). */
  #at = 0;
  #current: TcpCheckRule | undefined;
  #connected = false;
  /** The connection being made is TLS. */
  #tls = false;
  /** The connection's rule said `linger`: it closes with a FIN, else with a reset (ConnectRule.linger). */
  #linger = false;
  #waiting: 'connect' | 'data' | undefined;
  readonly #buffer = new Uint8Array(CHECK_BUFFER);
  #length = 0;
  /**
   * Bytes arrived but not yet read by an expect: HAProxy reads only when an expect needs data,
   * so what the server sent early stays in the socket, and a send (which empties the buffer of
   * what was read) does not drop it.
   */
  #unread: Uint8Array[] = [];
  #unreadBytes = 0;
  #mustRead = true;
  #eos = false;
  #error: SocketError | undefined;
  /** The run's `check.*` variables (`tcp-check set-var`). */
  readonly #vars: CheckVars;

  constructor(runtime: Runtime, spec: ProbeSpec, set: TcpCheckRuleSet, onDone: (outcome: CheckOutcome) => void) {
    this.#runtime = runtime;
    this.#spec = spec;
    this.#vars = new CheckVars(spec.procVars);
    this.#set = set;
    this.#onDone = onDone;
  }

  start(): void {
    this.#run();
  }

  abort(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#release(false);
  }

  onConnect(socket: Socket): void {
    if (this.#finished || socket !== this.#socket) return;
    this.#connected = true;
    const rule = this.#current as ConnectRule;
    if (this.#sendsProxy(rule) && this.#spec.proxyHeader !== 2) {
      socket.write(proxyLineV1({ clientAddress: socket.localAddress, clientPort: socket.localPort, localAddress: socket.remoteAddress, localPort: socket.remotePort }));
    }
    if (this.#spec.readTimeout !== undefined) this.#arm(this.#spec.readTimeout);
    this.#waiting = undefined;
    this.#at++;
    this.#run();
  }

  onData(socket: Socket, chunk: Uint8Array): void {
    if (this.#finished || socket !== this.#socket) return;
    // Bounded like HAProxy's socket buffer: a server flooding a check gets no more memory.
    if (this.#unreadBytes < CHECK_BUFFER && chunk.byteLength > 0) {
      this.#unread.push(chunk.slice());
      this.#unreadBytes += chunk.byteLength;
    }
    if (this.#waiting === 'data') this.#run();
  }

  onEnd(socket: Socket): void {
    if (this.#finished || socket !== this.#socket) return;
    this.#eos = true;
    if (this.#waiting === 'data') this.#run();
  }

  onDrain(): void {}

  onClose(socket: Socket, error: SocketError | undefined): void {
    if (this.#finished || socket !== this.#socket) return;
    this.#socket = undefined;
    if (!this.#connected) {
      if (isSocks4Error(error)) this.#finish({ status: 'SOCKERR', code: undefined, desc: `${(error as SocketError).message}${this.#where()}` });
      else if (failedDuringHandshake(this.#tls, error)) this.#finish({ status: 'L6RSP', code: undefined, desc: `SSL handshake failure${this.#where()}` });
      else this.#finish({ status: 'L4CON', code: undefined, desc: `${error === undefined ? '' : errorText(error)}${this.#where()}` });
      return;
    }
    this.#eos = true;
    this.#error = error;
    if (this.#waiting === 'data') this.#run();
  }

  #sendsProxy(rule: ConnectRule): boolean {
    return rule.sendProxy || (rule.isDefault && this.#spec.proxyHeader !== undefined);
  }

  #run(): void {
    // Data arriving while the rules run (a runtime may deliver it from inside write) is only buffered.
    this.#waiting = undefined;
    const rules = this.#set.rules;
    while (!this.#finished && this.#at < rules.length) {
      const rule = rules[this.#at] as TcpCheckRule;
      this.#current = rule;
      if (rule.action === 'connect') {
        this.#connect(rule);
        return;
      }
      if (rule.action === 'var') {
        rule.run(this.#context());
        this.#at++;
        continue;
      }
      if (rule.action === 'send') {
        // A send empties the input buffer (tcpcheck_eval_send releases check->bi).
        this.#length = 0;
        this.#mustRead = true;
        this.#at++;
        const data = typeof rule.data === 'function' ? rule.data(this.#context()) : rule.data;
        if (data === undefined) {
          this.#finish({ status: 'L7RSP', code: undefined, desc: `tcp-check send : failed to build log-format string at step ${rule.step}` });
          return;
        }
        // A send-lf built empty sends nothing.
        if (data.byteLength > 0) this.#socket?.write(data);
        continue;
      }
      if (this.#mustRead) {
        if (this.#unreadBytes === 0 && !this.#eos) {
          this.#waiting = 'data';
          return;
        }
        this.#read();
        this.#mustRead = false;
        if (this.#length === 0 && this.#eos) {
          if (this.#error !== undefined) {
            this.#finish({ status: 'SOCKERR', code: undefined, desc: `${errorText(this.#error)}${this.#where()}` });
          } else {
            const comment = rule.comment === undefined ? '' : ` comment: '${rule.comment}'`;
            this.#finish({ status: rule.errorStatus ?? 'L7RSP', code: 0, desc: `TCPCHK got an empty response at step ${rule.step}${comment}` });
          }
          return;
        }
      }
      const verdict = this.#expect(rule, this.#eos || this.#length >= CHECK_BUFFER);
      if (verdict === 'wait') {
        this.#at = rule.head;
        this.#current = rules[rule.head];
        this.#mustRead = true;
        this.#waiting = 'data';
        return;
      }
      if (verdict === 'stop') return;
      this.#at++;
    }
    if (!this.#finished) this.#passed();
  }

  #connect(rule: ConnectRule): void {
    const spec = this.#spec;
    if (this.#socket !== undefined) this.#close(this.#socket);
    this.#socket = undefined;
    this.#linger = rule.linger;
    this.#connected = false;
    this.#length = 0;
    this.#unread = [];
    this.#unreadBytes = 0;
    this.#eos = false;
    this.#error = undefined;
    this.#mustRead = true;
    this.#waiting = 'connect';
    // `ssl` uses the server's TLS settings when it has some (HAProxy: the server's SSL context).
    const tls: ConnectTlsOptions | undefined = rule.ssl
      ? {
          ...(spec.tls ?? { verify: false }),
          ...(rule.sni !== undefined ? { servername: rule.sni } : {}),
          ...(rule.alpn !== undefined ? { alpn: rule.alpn.split(',') } : {}),
        }
      : rule.isDefault
        ? spec.tls
        : undefined;
    this.#tls = tls !== undefined;
    if (tls !== undefined && spec.sslCounts?.sslConnectionsFull === true) {
      // tcpcheck_eval_connect: conn_prepare fails (`maxsslconn`), reported at once as HAProxy
      // does, a Layer7 timeout saying why.
      this.#timer = this.#runtime.setTimer(() => this.#finish({ status: 'L7TOUT', code: undefined, desc: `${TOO_MANY_SSL_CONNECTIONS}${this.#where()}` }), 0);
      return;
    }
    const v2 = this.#sendsProxy(rule) && spec.proxyHeader === 2 ? proxyHeaderV2(undefined, {}, {}) : undefined;
    this.#arm(spec.connectTimeout);
    // A UNIX socket server, unless the rule connects elsewhere.
    const path = rule.addr === undefined && rule.port === undefined ? spec.path : undefined;
    const options = {
      host: rule.addr ?? spec.host,
      port: rule.port ?? spec.port,
      path,
      noDelay: true,
      // A v2 header (LOCAL) goes in clear before the TLS handshake.
      ...(tls !== undefined ? { tls: v2 !== undefined ? { ...tls, preface: v2 } : tls } : {}),
      // HAProxy binds every check connection to the server's `source` (tcp_connect_server).
      ...sourceBinding(spec.source, path !== undefined),
    };
    // tcpcheck_eval_connect: `via-socks4`, or a default connect of a `check-via-socks4` server.
    const socks4 = rule.viaSocks4 || (rule.isDefault && spec.viaSocks4 === true) ? spec.socks4 : undefined;
    const socket =
      socks4 !== undefined
        ? connectViaSocks4(this.#runtime, socks4, options, this)
        : tls !== undefined && spec.sslCounts !== undefined
          ? new SslCountedSocket(this.#runtime.connect(options, this), this, spec.sslCounts)
          : this.#runtime.connect(options, this);
    this.#socket = socket;
    if (v2 !== undefined && tls === undefined) socket.write(v2);
  }

  /** Moves what arrived into the check buffer, as far as it has room (tcpcheck_eval_recv). */
  #read(): void {
    for (const chunk of this.#unread) {
      const n = Math.min(CHECK_BUFFER - this.#length, chunk.byteLength);
      if (n <= 0) break;
      this.#buffer.set(n === chunk.byteLength ? chunk : chunk.subarray(0, n), this.#length);
      this.#length += n;
    }
    this.#unread = [];
    this.#unreadBytes = 0;
  }

  /** 'continue', 'wait', or 'stop' (the check finished). */
  #expect(rule: ExpectRule, lastRead: boolean): 'continue' | 'wait' | 'stop' {
    const data = this.#buffer;
    const length = this.#length;
    if (rule.match === 'custom') {
      const isLast = this.#at === this.#set.rules.length - 1;
      const verdict = (rule.custom as NonNullable<ExpectRule['custom']>)({ data, length, lastRead, isLast }, rule);
      if (verdict.kind === 'done') {
        this.#finish(verdict.outcome);
        return 'stop';
      }
      return verdict.kind;
    }
    let needle = rule.needle;
    if (rule.builtNeedle !== undefined) {
      const built = rule.builtNeedle(this.#context());
      if (typeof built === 'string') {
        // HAProxy's fixed status and text (tcpcheck_eval_expect): no error-status, no on-error.
        this.#finish({ status: 'L7RSP', code: this.#code(rule), desc: this.#expectError(rule, false, built) });
        return 'stop';
      }
      needle = built;
    }
    if (!lastRead) {
      if (needle !== undefined && length < needle.length) return 'wait';
      if (rule.minRecv > 0 && length < rule.minRecv) return 'wait';
    }
    let match: boolean;
    if (needle !== undefined) match = indexOf(data, length, needle) >= 0;
    else if (rule.match === 'rbinary') match = (rule.regex as RegExp).test(hexDump(data, length));
    else match = (rule.regex as RegExp).test(latin1(data, 0, length));
    // Without min-recv a mismatch waits for more; with it, what arrived is conclusive.
    if (!match && !lastRead && rule.minRecv === -1) return 'wait';
    if (match !== rule.negate) return 'continue';
    this.#finish({ status: rule.errorStatus ?? 'L7RSP', code: this.#code(rule), desc: this.#expectError(rule, match) });
    return 'stop';
  }

  /**
   * The check's sample context: `check.*` variables, `be_name`, `srv_name`, and the bytes read
   * since the last send as the response channel (`res.payload`, `res.len`...), as HAProxy's check session.
   */
  #context(): SampleContext {
    const payload = new Payload();
    payload.bytes = this.#buffer.subarray(0, this.#length);
    payload.final = true;
    return { ...checkSampleContext(this.#spec.subject, undefined, this.#vars), responsePayload: payload };
  }

  #code(rule: ExpectRule): number {
    return rule.statusCode?.(this.#buffer, this.#length, this.#context()) ?? 0;
  }

  /** tcpcheck_expect_onerror_message; `info`: HAProxy's fixed text, which on-error does not replace. */
  #expectError(rule: ExpectRule, matched: boolean, info = ''): string {
    let text = info;
    if (info === '' && rule.onError !== undefined) text = rule.onError(this.#buffer, this.#length, this.#context());
    else if (info === '' && this.#set.userRules) {
      text = matched ? 'TCPCHK matched unwanted content' : 'TCPCHK did not match content';
      if (rule.match === 'string') text += ` '${rule.pattern}' at step ${rule.step}`;
      else if (rule.match === 'binary') text += ` (binary) at step ${rule.step}`;
      else if (rule.match === 'rstring') text += ` (regex) at step ${rule.step}`;
      else if (rule.match === 'string-lf') text += ` (log-format string) at step ${rule.step}`;
      else if (rule.match === 'binary-lf') text += ` (log-format binary) at step ${rule.step}`;
      else text += ` (binary regex) at step ${rule.step}`;
    }
    if (rule.comment !== undefined) text += ` comment: ${rule.comment}`;
    return text;
  }

  /** Every rule passed: the last one evaluated decides the status (end of tcpcheck_main). */
  #passed(): void {
    const last = this.#current;
    const userRules = this.#set.userRules;
    if (last?.action === 'expect') {
      let desc = last.onSuccess?.(this.#buffer, this.#length, this.#context()) ?? '';
      if (last.onSuccess === undefined && userRules) desc = '(tcp-check)';
      this.#finish({ status: last.okStatus ?? 'L7OK', code: this.#code(last), desc });
    } else if (last?.action === 'connect') {
      const tls = last.ssl || (last.isDefault && this.#spec.tls !== undefined);
      this.#finish({ status: tls ? 'L6OK' : 'L4OK', code: undefined, desc: last.implicit ? '' : '(tcp-check)' });
    } else {
      this.#finish({ status: 'L7OK', code: 0, desc: '(tcp-check)' });
    }
  }

  /** " at step N of tcp-check (...)" for user rules (chk_report_conn_err); "" for protocol checks. */
  #where(): string {
    if (!this.#set.userRules) return '';
    const rule = this.#current;
    if (rule === undefined || (rule.action === 'connect' && rule.implicit)) return ' at initial connection step of tcp-check';
    let text = ` at step ${rule.step} of tcp-check`;
    if (rule.action === 'connect') text += rule.port !== undefined ? ` (connect port ${rule.port})` : ' (connect)';
    else if (rule.action === 'send') text += ' (send)';
    else if (rule.action === 'var') return text;
    else if (rule.match === 'string') text += ` (expect string '${rule.pattern}')`;
    else if (rule.match === 'binary') text += ` (expect binary '${rule.pattern}')`;
    else if (rule.match === 'rstring') text += ' (expect regex)';
    else if (rule.match === 'rbinary') text += ' (expect binary regex)';
    else if (rule.match === 'string-lf') text += ' (expect log-format string)';
    else if (rule.match === 'binary-lf') text += ' (expect log-format binary)';
    else text += ' (expect custom function)';
    if (rule.comment !== undefined) text += ` comment: '${rule.comment}'`;
    return text;
  }

  #expired(): void {
    this.#timer = undefined;
    if (this.#finished) return;
    let status: CheckStatus = 'L7TOUT';
    const rule = this.#current;
    if (!this.#connected) status = 'L4TOUT';
    else if (rule?.action === 'expect' && rule.toutStatus !== undefined) status = rule.toutStatus;
    this.#finish({ status, code: undefined, desc: this.#where() });
  }

  #arm(ms: number): void {
    if (this.#timer !== undefined) this.#runtime.clearTimer(this.#timer);
    this.#timer = this.#runtime.setTimer(() => this.#expired(), ms);
  }

  #finish(outcome: CheckOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#release();
    this.#onDone(outcome);
  }

  /** `graceful` false: the service is stopping, nothing waits for the server's close. */
  #release(graceful = true): void {
    if (this.#timer !== undefined) {
      this.#runtime.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    const socket = this.#socket;
    this.#socket = undefined;
    this.#unread = [];
    if (socket !== undefined) this.#close(socket, graceful);
  }

  #close(socket: Socket, graceful = true): void {
    closeCheckConnection(this.#runtime, socket, this.#connected && this.#tls, this.#linger, graceful);
  }
}

function indexOf(data: Uint8Array, length: number, needle: Uint8Array): number {
  const n = needle.length;
  outer: for (let i = 0; i + n <= length; i++) {
    for (let j = 0; j < n; j++) if (data[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const HEX = '0123456789ABCDEF';

/** HAProxy's dump_binary: upper-case hex, two digits a byte. */
function hexDump(data: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const b = data[i] as number;
    out += HEX[b >> 4] + (HEX[b & 15] as string);
  }
  return out;
}

function latin1(data: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(data[i] as number);
  return out;
}
