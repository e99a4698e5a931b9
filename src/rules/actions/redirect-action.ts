/**
 * Redirects (HAProxy's http_apply_redirect_rule): `http-request redirect` (log-format
 * destination) and the `redirect` keyword (literal destination), `location`, `prefix` or
 * `scheme`, with `code`, `drop-query`, `append-slash`, `ignore-empty`, `set-cookie` and
 * `clear-cookie`. The reply is HAProxy's: `content-length: 0`, `location`, `cache-control:
 * no-cache` for 302/303/307, then the cookie.
 */
import type { RedirectModel } from '../../config/model.ts';
import { H_HOST, type HttpHead, type RequestHead } from '../../http/codec/head.ts';
import type { HeadEditor } from '../../http/codec/serialize.ts';
import { LocalReply } from '../../http/local-reply.ts';
import { collectHeaderValues } from '../header-view.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { compileLogFormat, type LogFormat } from '../log-format.ts';
import { pathStart } from '../sample-fetch.ts';

const REASONS: Record<RedirectModel['code'], string> = {
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
};

const hostScratch: string[] = [];

/** The Host header as the rules left it (HAProxy reads the edited message). */
function hostOf(head: RequestHead, editor: HeadEditor): string {
  hostScratch.length = 0;
  collectHeaderValues(head, editor, H_HOST.lower, false, hostScratch);
  const host = hostScratch[0] ?? '';
  hostScratch.length = 0;
  return host;
}

class Redirect implements HttpAction {
  readonly #model: RedirectModel;
  /** undefined for a literal destination, and for HAProxy's self-redirecting `prefix /`. */
  readonly #format: LogFormat | undefined;
  readonly #cookie: string | undefined;

  constructor(model: RedirectModel, format: LogFormat | undefined) {
    this.#model = model;
    this.#format = format;
    const c = model.cookie;
    this.#cookie = c === undefined ? undefined : `${c.value}${c.set ? '; path=/;' : '; path=/; Max-Age=0;'}`;
  }

  run(ctx: HttpActionContext, head: HttpHead, editor: HeadEditor): Verdict {
    const m = this.#model;
    const req = head as RequestHead;
    let location: string;
    if (m.type === 'location') {
      location = this.#format === undefined ? m.destination : this.#format.evaluate(ctx);
      if (location === '' && m.ignoreEmpty && this.#format !== undefined) return Verdict.continue;
    } else {
      const target = req.target;
      let path = target.slice(pathStart(target));
      if (m.dropQuery) {
        const q = path.indexOf('?');
        if (q >= 0) path = path.slice(0, q);
      }
      if (path === '') path = '/';
      if (m.type === 'scheme') {
        const scheme = this.#format === undefined ? m.destination : this.#format.evaluate(ctx);
        location = `${scheme}://${hostOf(req, editor)}${path}`;
      } else {
        // `prefix /` adds nothing, so that a self-redirection stays writable.
        const prefix = m.destination === '/' ? '' : this.#format === undefined ? m.destination : this.#format.evaluate(ctx);
        location = `${prefix}${path}`;
      }
      if (m.appendSlash && location !== '' && !location.endsWith('/')) location += '/';
    }
    const headers: [string, string][] = [
      ['content-length', '0'],
      ['location', location],
    ];
    if (m.code === 302 || m.code === 303 || m.code === 307) headers.push(['cache-control', 'no-cache']);
    if (this.#cookie !== undefined) headers.push(['set-cookie', this.#cookie]);
    ctx.reply = new LocalReply(m.code, headers, EMPTY, REASONS[m.code]);
    ctx.denied = false;
    ctx.tarpit = false;
    return Verdict.reply;
  }
}

const EMPTY = new Uint8Array(0);

/** Compiles a redirect; `direction` is where its log-format destination is evaluated. */
export function compileRedirect(model: RedirectModel, direction: 'request' | 'response'): HttpActionCompile {
  let format: LogFormat | undefined;
  if (model.logFormat && !(model.type === 'prefix' && model.destination === '/')) {
    const compiled = compileLogFormat(model.destination, direction);
    if (!compiled.ok) return { ok: false, message: compiled.message };
    format = compiled.format.constant ? undefined : compiled.format;
    if (format === undefined && compiled.format.evaluate({ clientAddress: '', lbHead: undefined }) !== model.destination) {
      // A constant format with `%%` escapes: keep its evaluated text as the literal.
      return { ok: true, action: new Redirect({ ...model, destination: compiled.format.evaluate({ clientAddress: '', lbHead: undefined }) }, undefined) };
    }
  }
  return { ok: true, action: new Redirect(model, format) };
}
