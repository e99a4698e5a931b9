/**
 * `http-request use-service NAME`: the request is answered by an internal service (HAProxy's
 * applet), not by a server; like any final action it ends the rule lists. The stream looks the
 * service up in its configuration's services (src/services/).
 */
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';

class UseService implements HttpAction {
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  run(ctx: HttpActionContext): Verdict {
    ctx.service = this.#name;
    return Verdict.reply;
  }
}

export function compileUseService(name: string): HttpActionCompile {
  return { ok: true, action: new UseService(name) };
}
