/**
 * `http-request capture EXPR len N|id N`, `http-response capture EXPR id N` (HAProxy 2.6's
 * http_action_req_capture[_by_id] / http_action_res_capture_by_id): the expression as a string,
 * truncated to the slot's length, into the frontend's request (or response) slot. No sample,
 * or no such slot in the frontend of the stream (a backend's rule naming an id its frontends
 * lack): nothing happens. The rule never ends the list.
 */
import type { HttpCaptureRuleModel } from '../../config/capture-model.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { Sample, sampleText } from '../sample.ts';
import { compileSampleFetch, type SampleDirection, type SampleFetch } from '../sample-fetch.ts';

const SCRATCH = new Sample();

class CaptureAction implements HttpAction {
  readonly #fetch: SampleFetch;
  readonly #response: boolean;
  readonly #id: number;
  constructor(fetch: SampleFetch, response: boolean, id: number) {
    this.#fetch = fetch;
    this.#response = response;
    this.#id = id;
  }
  run(ctx: HttpActionContext): Verdict {
    const captures = ctx.captures;
    if (captures === undefined || !this.#fetch.sample(ctx, SCRATCH)) return Verdict.continue;
    captures.set(this.#response, this.#id, sampleText(SCRATCH));
    return Verdict.continue;
  }
}

export function compileCapture(rule: HttpCaptureRuleModel, direction: SampleDirection): HttpActionCompile {
  const compiled = compileSampleFetch(rule.expression, { direction });
  if (!compiled.ok) return { ok: false, message: compiled.message };
  if (rule.len !== undefined && direction !== 'request') return { ok: false, message: "'len' is only valid in http-request rules" };
  return { ok: true, action: new CaptureAction(compiled.fetch, direction === 'response', rule.id) };
}
