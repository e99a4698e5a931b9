/**
 * `set-status STATUS [reason TEXT]` (http-response, http-after-response; HAProxy's
 * action_http_set_status): rewrites the status line, with HAProxy's reason phrase for the
 * status unless one is given. Later fetches of `status`, the log and the counters see the new
 * status.
 */
import type { HttpHead } from '../../http/codec/head.ts';
import type { HeadEditor } from '../../http/codec/serialize.ts';
import { reasonPhrase } from '../../http/reason-phrases.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';

class SetStatus implements HttpAction {
  readonly #status: number;
  readonly #reason: string;
  constructor(status: number, reason: string) {
    this.#status = status;
    this.#reason = reason;
  }
  run(ctx: HttpActionContext, head: HttpHead, editor: HeadEditor): Verdict {
    editor.setStatusLine(this.#status, this.#reason, head.versionMinor);
    ctx.responseStatus = this.#status;
    return Verdict.continue;
  }
}

export function compileSetStatus(status: number, reason: string | undefined): HttpActionCompile {
  if (!Number.isInteger(status) || status < 100 || status > 999) return { ok: false, message: 'expects an integer status code between 100 and 999' };
  if (reason !== undefined && /[\x00-\x08\x0a-\x1f\x7f]/.test(reason)) return { ok: false, message: `invalid reason '${reason}'` };
  return { ok: true, action: new SetStatus(status, reason ?? reasonPhrase(status)) };
}
