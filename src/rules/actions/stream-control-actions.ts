/**
 * `http-request reject` and `http-request early-hint NAME FMT` (HAProxy 2.6's http_act.c):
 *
 * - reject: no response; the session closes the connection at once. HAProxy logs it PR with
 *   status -1 and counts a denied request (http_action_reject).
 * - silent-drop (request and response rules): the same, the client connection reset where the
 *   runtime can (HAProxy makes the socket mute with TCP_REPAIR, else resets it).
 * - early-hint: a `103 Early Hints` interim response with one header, written to the client at
 *   once, for HTTP/1.1 requests only (an HTTP/1.0 client gets none). HAProxy 2.6.12 sends one
 *   103 per rule, the header name in lower case as its H1 layer writes every name.
 * - disable-l7-retry: this transaction is retried on connection failures only, whatever
 *   `retry-on` says of responses (HAProxy's TX_D_L7_RETRY).
 * - wait-for-handshake: HAProxy yields while the connection is still in TLS early data (0-RTT).
 *   No bind accepts early data here (`allow-0rtt` is refused), so every request reaches the
 *   rules after its handshake ended and the action goes on at once, as HAProxy's does then.
 */
import { latin1Bytes } from '../../http/codec/chars.ts';
import { LocalReply } from '../../http/local-reply.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { compileLogFormat, type LogFormat } from '../log-format.ts';

/** The reply slot must hold something: the session checks `rejected` before reading it. */
const NO_REPLY = new LocalReply(400, [], new Uint8Array(0));

class Reject implements HttpAction {
  readonly #drop: boolean;
  constructor(drop: boolean) {
    this.#drop = drop;
  }
  run(ctx: HttpActionContext): Verdict {
    ctx.rejected = true;
    ctx.silentDrop = this.#drop;
    ctx.reply = NO_REPLY;
    return Verdict.reply;
  }
}

const REJECT = new Reject(false);
const SILENT_DROP = new Reject(true);

class DisableL7Retry implements HttpAction {
  run(ctx: HttpActionContext): Verdict {
    ctx.l7RetryDisabled = true;
    return Verdict.continue;
  }
}

class WaitForHandshake implements HttpAction {
  run(): Verdict {
    return Verdict.continue;
  }
}

const DISABLE_L7_RETRY = new DisableL7Retry();
const WAIT_FOR_HANDSHAKE = new WaitForHandshake();

class EarlyHint implements HttpAction {
  readonly #prefix: string;
  readonly #format: LogFormat;
  constructor(name: string, format: LogFormat) {
    this.#prefix = `HTTP/1.1 103 Early Hints\r\n${name.toLowerCase()}: `;
    this.#format = format;
  }
  run(ctx: HttpActionContext): Verdict {
    const send = ctx.sendInterim;
    if (send === undefined || ctx.lbHead === undefined || ctx.lbHead.versionMinor === 0) return Verdict.continue;
    // Samples in the value are %-encoded (header-value log-format): nothing can break the head.
    // The value is bytes (log-format.ts); the prefix is ASCII but for a configured name.
    send(latin1Bytes(`${this.#prefix}${this.#format.evaluate(ctx)}\r\n\r\n`));
    return Verdict.continue;
  }
}

/** `reject`, or `silent-drop` (`drop`: HAProxy's tcp_exec_action_silent_drop, the client connection reset). */
export function compileReject(drop = false): HttpActionCompile {
  return { ok: true, action: drop ? SILENT_DROP : REJECT };
}

export function compileDisableL7Retry(): HttpActionCompile {
  return { ok: true, action: DISABLE_L7_RETRY };
}

export function compileWaitForHandshake(): HttpActionCompile {
  return { ok: true, action: WAIT_FOR_HANDSHAKE };
}

export function compileEarlyHint(header: string, format: string): HttpActionCompile {
  const compiled = compileLogFormat(format, 'request');
  if (!compiled.ok) return { ok: false, message: compiled.message };
  return { ok: true, action: new EarlyHint(header, compiled.format) };
}
