/**
 * The strict rewriting mode (HAProxy's HTTP_MSGF_SOFT_RW): `strict-mode on|off` sets it for
 * the rest of the message, and every action whose rewrite fails reports it here. A failed
 * rewrite is always counted (`failed_rewrites`); in strict mode, the default, it ends the
 * message with a 500 (HAProxy's ACT_RET_ERR -> return_int_err, logged P), in soft mode the
 * rewrite is skipped and the rules go on.
 */
import type { HttpStrictModeRuleModel } from '../../config/strict-mode-model.ts';
import type { HttpHead } from '../../http/codec/head.ts';
import type { HeadEditor } from '../../http/codec/serialize.ts';
import { errorPageReply } from '../../http/local-reply.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';

class StrictMode implements HttpAction {
  readonly #soft: boolean;
  constructor(on: boolean) {
    this.#soft = !on;
  }
  run(ctx: HttpActionContext, _head: HttpHead, _editor: HeadEditor): Verdict {
    ctx.softRewrites = this.#soft;
    return Verdict.continue;
  }
}

const ON = new StrictMode(true);
const OFF = new StrictMode(false);

export function compileStrictMode(rule: HttpStrictModeRuleModel): HttpActionCompile {
  return { ok: true, action: rule.on ? ON : OFF };
}

/** A rewrite failed: counted; in strict mode the message ends with a 500 (`ctx.reply`). */
export function rewriteFailed(ctx: HttpActionContext): Verdict {
  ctx.failedRewrites++;
  if (ctx.softRewrites === true) return Verdict.continue;
  ctx.reply = errorPageReply(500);
  ctx.rewriteError = true;
  return Verdict.reply;
}
