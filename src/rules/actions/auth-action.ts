/**
 * `http-request auth [realm REALM]` (HAProxy's http_action_auth): the proxy's 401 error page
 * with `WWW-Authenticate: Basic realm="REALM"` added last, built once per rule. (HAProxy answers
 * 407 with Proxy-Authenticate under `option http-use-proxy-header`, which Switchyard refuses.)
 */
import { latin1String } from '../../http/codec/chars.ts';
import { errorPage } from '../../http/codec/error-pages.ts';
import { LocalReply } from '../../http/local-reply.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';

class AuthReply implements HttpAction {
  readonly #reply: LocalReply;
  constructor(reply: LocalReply) {
    this.#reply = reply;
  }
  run(ctx: HttpActionContext): Verdict {
    ctx.reply = this.#reply;
    ctx.denied = false;
    return Verdict.reply;
  }
}

const encoder = new TextEncoder();

/** The 401 reply for `realm` (the configuration's text, sent as its UTF-8 bytes). */
export function authReply(realm: string): LocalReply {
  const page = errorPage(401);
  const body = encoder.encode(page.body);
  const realmBytes = encoder.encode(realm);
  return new LocalReply(
    401,
    [
      ['content-length', String(body.byteLength)],
      ['cache-control', 'no-cache'],
      ['content-type', 'text/html'],
      ['www-authenticate', `Basic realm="${latin1String(realmBytes, 0, realmBytes.length)}"`],
    ],
    body,
    page.reason,
  );
}

export function compileAuth(realm: string): HttpActionCompile {
  return { ok: true, action: new AuthReply(authReply(realm)) };
}
