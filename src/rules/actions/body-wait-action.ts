/**
 * `http-request|http-response wait-for-body time TIME [at-least BYTES]` (HAProxy 2.6's
 * http_action_wait_for_body): the rules stop here until the body is complete, fills the buffer
 * or has BYTES; the stream answers 408 (request) or 504 (response) when TIME passes first.
 */
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';

class WaitForBody implements HttpAction {
  readonly #time: number;
  readonly #atLeast: number;
  constructor(time: number, atLeast: number) {
    this.#time = time;
    this.#atLeast = atLeast;
  }
  run(ctx: HttpActionContext): Verdict {
    return ctx.waitForBody === undefined ? Verdict.continue : ctx.waitForBody(this.#time, this.#atLeast);
  }
}

export function compileWaitForBody(time: number, atLeast: number): HttpActionCompile {
  return { ok: true, action: new WaitForBody(time, atLeast) };
}
