/**
 * `tcp-request content capture EXPR len N` (HAProxy 2.6's tcp_action_capture): the expression
 * as a string, truncated to the slot's length, into the frontend's request slot the rule
 * declared, where %hr / %hrl and `capture.req.hdr(ID)` read it. No sample: nothing happens
 * and the list goes on. A sample that may still change (bytes still to come, within the
 * inspect delay) makes the content rules wait, as HAProxy's ACT_RET_YIELD.
 */
import type { TcpCaptureRuleModel } from '../../config/capture-model.ts';
import { Sample, sampleText } from '../sample.ts';
import { compileSampleFetch, type SampleFetch } from '../sample-fetch.ts';
import { TcpVerdict, type TcpAction, type TcpActionCompile, type TcpActionContext } from './tcp-action.ts';

const SCRATCH = new Sample();

class TcpCapture implements TcpAction {
  readonly #fetch: SampleFetch;
  readonly #id: number;
  constructor(fetch: SampleFetch, id: number) {
    this.#fetch = fetch;
    this.#id = id;
  }

  run(ctx: TcpActionContext): TcpVerdict {
    const captures = ctx.captures;
    if (captures === undefined) return TcpVerdict.continue;
    const payload = ctx.requestPayload;
    const before = payload?.mayChange ?? false;
    if (payload !== undefined) payload.mayChange = false;
    const found = this.#fetch.sample(ctx, SCRATCH);
    const changing = payload !== undefined && payload.mayChange && !payload.final;
    if (payload !== undefined) payload.mayChange ||= before;
    if (!found) return TcpVerdict.continue;
    if (changing) return TcpVerdict.yield;
    captures.set(false, this.#id, sampleText(SCRATCH));
    return TcpVerdict.continue;
  }
}

export function compileTcpCapture(rule: TcpCaptureRuleModel): TcpActionCompile {
  const compiled = compileSampleFetch(rule.expression, { direction: 'request' });
  if (!compiled.ok) return compiled;
  return { ok: true, action: new TcpCapture(compiled.fetch, rule.id) };
}
