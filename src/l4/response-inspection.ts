/**
 * `tcp-response content` rules on a tcp session's server side (HAProxy's tcp_inspect_response):
 * the server's first bytes are held and offered to the rules as the response payload until they
 * decide — at once without `tcp-response inspect-delay`, else when a rule's fetch has what it
 * needs, the delay expires, the buffer is full or the server closed its side
 * (src/rules/tcp/content-inspection.ts).
 */
import type { Runtime } from '../runtime.ts';
import { Payload } from '../rules/payload.ts';
import type { TcpRuleContext } from '../rules/tcp/tcp-rule-context.ts';
import type { ProxyTcpRules } from '../rules/tcp/tcp-rules.ts';
import { ContentInspection, type ContentDecision } from '../rules/tcp/content-inspection.ts';
import type { BufferSizes } from '../http/buffer-sizes.ts';

export type ResponseDecision = ContentDecision;

export class ResponseInspection {
  readonly #inspection: ContentInspection;

  constructor(runtime: Runtime, rules: ProxyTcpRules, ctx: TcpRuleContext, buffers: BufferSizes, decided: (decision: ResponseDecision) => void) {
    const payload = new Payload(buffers);
    this.#inspection = new ContentInspection(runtime, rules.response, rules.responseInspectDelay, ctx, payload, decided);
    ctx.responsePayload = payload;
    ctx.vars.beginTcpResponse();
  }

  get chunks(): readonly Uint8Array[] {
    return this.#inspection.chunks;
  }

  /** Server bytes arrived (`ended`: the server closed its side). */
  offer(chunk: Uint8Array | undefined, ended: boolean): void {
    if (this.#inspection.done) return;
    if (chunk !== undefined) this.#inspection.append(chunk);
    if (ended) this.#inspection.end();
    this.#inspection.evaluate();
  }

  cancel(): void {
    this.#inspection.cancel();
  }
}
