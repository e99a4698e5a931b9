/**
 * `allow`, `deny` and `return` (HAProxy's http_act.c): the final actions whose answer is an
 * HTTP reply (HAProxy's `struct http_reply`, http_reply_to_htx). A reply without log-format
 * parts is built once per configuration generation and shared by every request.
 */
import type { HttpReplyModel } from '../../config/model.ts';
import { errorPageReply, LocalReply, replyHeaders } from '../../http/local-reply.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { compileLogFormat, type LogFormat } from '../log-format.ts';
import type { SampleDirection } from '../sample-fetch.ts';

const encoder = new TextEncoder();
/** Constant formats read nothing: any context evaluates them. */
const NO_CONTEXT = { clientAddress: '', lbHead: undefined };

class Allow implements HttpAction {
  run(): Verdict {
    return Verdict.stop;
  }
}

/** A reply whose every part is known at configuration time. */
/** Which final action a reply belongs to: counted, logged and timed differently. */
export type ReplyKind = 'deny' | 'return' | 'tarpit';

class StaticReply implements HttpAction {
  readonly #reply: LocalReply;
  readonly #kind: ReplyKind;
  constructor(reply: LocalReply, kind: ReplyKind) {
    this.#reply = reply;
    this.#kind = kind;
  }
  run(ctx: HttpActionContext): Verdict {
    ctx.reply = this.#reply;
    ctx.denied = this.#kind !== 'return';
    ctx.tarpit = this.#kind === 'tarpit';
    return Verdict.reply;
  }
}

/** A reply with log-format headers or payload, evaluated for each request. */
class FormattedReply implements HttpAction {
  readonly #status: number;
  readonly #contentType: string | undefined;
  readonly #headers: readonly { readonly name: string; readonly format: LogFormat }[];
  readonly #body: LogFormat | Uint8Array;
  readonly #kind: ReplyKind;
  constructor(
    status: number,
    contentType: string | undefined,
    headers: readonly { name: string; format: LogFormat }[],
    body: LogFormat | Uint8Array,
    kind: ReplyKind,
  ) {
    this.#kind = kind;
    this.#status = status;
    this.#contentType = contentType;
    this.#headers = headers;
    this.#body = body;
  }
  run(ctx: HttpActionContext): Verdict {
    const extra: [string, string][] = [];
    // HAProxy adds a `hdr` only when its value is not empty.
    for (const h of this.#headers) {
      const value = h.format.evaluate(ctx);
      if (value !== '') extra.push([h.name, value]);
    }
    const body = this.#body instanceof Uint8Array ? this.#body : encoder.encode(this.#body.evaluate(ctx));
    ctx.reply = new LocalReply(this.#status, replyHeaders(extra, body.byteLength, this.#contentType), body);
    ctx.denied = this.#kind !== 'return';
    ctx.tarpit = this.#kind === 'tarpit';
    return Verdict.reply;
  }
}

/**
 * Compiles a reply; `direction` is where its log-format parts are evaluated, `kind` tells a
 * denial or a tarpit (counted and logged as such) from a `return`.
 */
export function compileReply(model: HttpReplyModel, direction: SampleDirection, kind: ReplyKind): HttpActionCompile {
  const body = model.body;
  if (body.kind === 'errorpage') return { ok: true, action: new StaticReply(errorPageReply(model.status), kind) };
  const headers: { name: string; format: LogFormat }[] = [];
  for (const h of model.headers) {
    const format = compileLogFormat(h.format, direction);
    if (!format.ok) return { ok: false, message: `hdr '${h.name}': ${format.message}` };
    headers.push({ name: h.name.toLowerCase(), format: format.format });
  }
  let payload: LogFormat | Uint8Array;
  if (body.kind === 'lf-string') {
    const format = compileLogFormat(body.format, direction);
    if (!format.ok) return { ok: false, message: format.message };
    payload = format.format.constant ? encoder.encode(format.format.evaluate(NO_CONTEXT)) : format.format;
  } else {
    // The configuration was read as UTF-8 text: encoding it back gives the file's bytes.
    payload = body.kind === 'string' ? encoder.encode(body.text) : new Uint8Array(0);
  }
  if (payload instanceof Uint8Array && headers.every((h) => h.format.constant)) {
    const extra = headers.map((h) => [h.name, h.format.evaluate(NO_CONTEXT)] as const).filter(([, v]) => v !== '');
    return { ok: true, action: new StaticReply(new LocalReply(model.status, replyHeaders(extra, payload.byteLength, model.contentType), payload), kind) };
  }
  return { ok: true, action: new FormattedReply(model.status, model.contentType, headers, payload, kind) };
}

export function compileAllow(): HttpActionCompile {
  return { ok: true, action: new Allow() };
}
