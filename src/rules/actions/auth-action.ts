/**
 * `http-request auth [realm REALM]` (HAProxy's http_action_auth): the proxy's 401 error page
 * with `WWW-Authenticate: Basic realm="REALM"` added last, built once per rule. Under `option
 * http-use-proxy-header`, a proxied request (ctx.proxiedRequest) gets the 407 page with
 * `Proxy-Authenticate` instead.
 */
import { latin1String } from '../../http/codec/chars.ts';
import { errorPage } from '../../http/codec/error-pages.ts';
import { LocalReply } from '../../http/local-reply.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';

class AuthReply implements HttpAction {
  readonly #reply: LocalReply;
  readonly #proxyReply: LocalReply;
  constructor(reply: LocalReply, proxyReply: LocalReply) {
    this.#reply = reply;
    this.#proxyReply = proxyReply;
  }
  run(ctx: HttpActionContext): Verdict {
    ctx.reply = ctx.proxiedRequest === true ? this.#proxyReply : this.#reply;
    ctx.denied = false;
    return Verdict.reply;
  }
}

const encoder = new TextEncoder();

/** The 401 reply for `realm` (the configuration's text, sent as its UTF-8 bytes); 407 for a proxied request. */
export function authReply(realm: string, status: 401 | 407 = 401): LocalReply {
  const page = errorPage(status);
  const body = encoder.encode(page.body);
  const realmBytes = encoder.encode(realm);
  return new LocalReply(
    status,
    [
      ['content-length', String(body.byteLength)],
      ['cache-control', 'no-cache'],
      ['content-type', 'text/html'],
      [status === 401 ? 'www-authenticate' : 'proxy-authenticate', `Basic realm="${latin1String(realmBytes, 0, realmBytes.length)}"`],
    ],
    body,
    page.reason,
  );
}

export function compileAuth(realm: string): HttpActionCompile {
  return { ok: true, action: new AuthReply(authReply(realm), authReply(realm, 407)) };
}
