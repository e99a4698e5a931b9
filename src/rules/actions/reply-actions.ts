/**
 * `allow`, `deny` and `return` (HAProxy's http_act.c): the final actions whose answer is an
 * HTTP reply (HAProxy's `struct http_reply`, http_reply_to_htx). A reply without log-format
 * parts is built once per configuration generation and shared by every request. The same
 * replies answer for a proxy's statuses (`http-error`, `errorfile`...: src/http/error-replies.ts).
 */
import type { HttpReplyModel } from '../../config/model.ts';
import { latin1Bytes } from '../../http/codec/chars.ts';
import { ErrorFileReply } from '../../http/error-file-reply.ts';
import { parseErrorMessage } from '../../http/error-message.ts';
import { errorPageReply, LocalReply, replyHeaders } from '../../http/local-reply.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { compileLogFormat, type LogFormat } from '../log-format.ts';
import type { SampleContext } from '../sample-context.ts';
import type { SampleDirection } from '../sample-fetch.ts';

const encoder = new TextEncoder();
/** Constant formats read nothing: any context evaluates them. */
const NO_CONTEXT = { clientAddress: '', lbHead: undefined };

/** Gives the reply for a request: the same object every time, or one built from log-format parts. */
export interface ReplyBuilder {
  build(ctx: SampleContext): LocalReply;
}

export type ReplyBuilderCompile = { readonly ok: true; readonly builder: ReplyBuilder } | { readonly ok: false; readonly message: string };

class Allow implements HttpAction {
  run(): Verdict {
    return Verdict.stop;
  }
}

/** A reply whose every part is known at configuration time. */
class StaticReply implements ReplyBuilder {
  readonly #reply: LocalReply;
  constructor(reply: LocalReply) {
    this.#reply = reply;
  }
  build(): LocalReply {
    return this.#reply;
  }
}

/** A reply with log-format headers or payload, evaluated for each request. */
class FormattedReply implements ReplyBuilder {
  readonly #status: number;
  readonly #contentType: string | undefined;
  readonly #headers: readonly { readonly name: string; readonly format: LogFormat }[];
  readonly #body: LogFormat | Uint8Array;
  constructor(status: number, contentType: string | undefined, headers: readonly { name: string; format: LogFormat }[], body: LogFormat | Uint8Array) {
    this.#status = status;
    this.#contentType = contentType;
    this.#headers = headers;
    this.#body = body;
  }
  build(ctx: SampleContext): LocalReply {
    const extra: [string, string][] = [];
    // HAProxy adds a `hdr` only when its value is not empty.
    for (const h of this.#headers) {
      const value = h.format.evaluate(ctx);
      if (value !== '') extra.push([h.name, value]);
    }
    // A format's text is bytes (log-format.ts): the configuration's as UTF-8, samples as received.
    const body = this.#body instanceof Uint8Array ? this.#body : latin1Bytes(this.#body.evaluate(ctx));
    return new LocalReply(this.#status, replyHeaders(extra, body.byteLength, this.#contentType), body);
  }
}

/** Which final action a reply belongs to: counted, logged and timed differently. */
export type ReplyKind = 'deny' | 'return' | 'tarpit';

/** `deny`, `return`, `tarpit`: answer with the built reply. */
class ReplyAction implements HttpAction {
  readonly #builder: ReplyBuilder;
  readonly #kind: ReplyKind;
  constructor(builder: ReplyBuilder, kind: ReplyKind) {
    this.#builder = builder;
    this.#kind = kind;
  }
  run(ctx: HttpActionContext): Verdict {
    ctx.reply = this.#builder.build(ctx);
    ctx.denied = this.#kind !== 'return';
    ctx.tarpit = this.#kind === 'tarpit';
    return Verdict.reply;
  }
}

/** Compiles a reply; `direction` is where its log-format parts are evaluated. */
export function compileReplyBuilder(model: HttpReplyModel, direction: SampleDirection): ReplyBuilderCompile {
  const body = model.body;
  if (body.kind === 'errorpage') return { ok: true, builder: new StaticReply(errorPageReply(model.status)) };
  if (body.kind === 'errorfile') {
    const parsed = parseErrorMessage(latin1Bytes(body.content));
    if (!parsed.ok) return { ok: false, message: `'${body.path}': ${parsed.error}` };
    return { ok: true, builder: new StaticReply(new ErrorFileReply(model.status, parsed.message)) };
  }
  const headers: { name: string; format: LogFormat }[] = [];
  for (const h of model.headers) {
    const format = compileLogFormat(h.format, direction);
    if (!format.ok) return { ok: false, message: `hdr '${h.name}': ${format.message}` };
    headers.push({ name: h.name.toLowerCase(), format: format.format });
  }
  let payload: LogFormat | Uint8Array;
  if (body.kind === 'lf-string' || body.kind === 'lf-file') {
    const format = compileLogFormat(body.format, direction);
    if (!format.ok) return { ok: false, message: format.message };
    payload = format.format.constant ? latin1Bytes(format.format.evaluate(NO_CONTEXT)) : format.format;
  } else if (body.kind === 'string') {
    // The configuration was read as UTF-8 text: encoding it back gives the file's bytes.
    payload = encoder.encode(body.text);
  } else if (body.kind === 'file') {
    payload = latin1Bytes(body.content);
  } else {
    // `none`, and an `errorfiles NAME` the loader did not resolve: HAProxy's reply without payload.
    payload = new Uint8Array(0);
  }
  if (payload instanceof Uint8Array && headers.every((h) => h.format.constant)) {
    const extra = headers.map((h) => [h.name, h.format.evaluate(NO_CONTEXT)] as const).filter(([, v]) => v !== '');
    return { ok: true, builder: new StaticReply(new LocalReply(model.status, replyHeaders(extra, payload.byteLength, model.contentType), payload)) };
  }
  return { ok: true, builder: new FormattedReply(model.status, model.contentType, headers, payload) };
}

/**
 * Compiles `deny` / `return` / `tarpit`; `kind` tells a denial or a tarpit (counted and logged
 * as such) from a `return`.
 */
export function compileReply(model: HttpReplyModel, direction: SampleDirection, kind: ReplyKind): HttpActionCompile {
  const compiled = compileReplyBuilder(model, direction);
  if (!compiled.ok) return compiled;
  return { ok: true, action: new ReplyAction(compiled.builder, kind) };
}

export function compileAllow(): HttpActionCompile {
  return { ok: true, action: new Allow() };
}
