/**
 * `tcp-response content` rules on a tcp session's server side (HAProxy's tcp_inspect_response):
 * the server's first bytes are held and offered to the rules as the response payload until they
 * decide — at once without `tcp-response inspect-delay`, else when a rule's fetch has what it
 * needs, the delay expires, the buffer is full or the server closed its side.
 */
import type { Runtime, TimerHandle } from '../runtime.ts';
import { Payload } from '../rules/payload.ts';
import type { TcpRuleContext } from '../rules/tcp/tcp-rule-context.ts';
import { runTcpRules, type ProxyTcpRules, type TcpRulesOutcome } from '../rules/tcp/tcp-rules.ts';
import type { BufferSizes } from '../http/buffer-sizes.ts';

export type ResponseDecision = Exclude<TcpRulesOutcome, 'missing'>;

export class ResponseInspection {
  readonly chunks: Uint8Array[] = [];
  readonly #rules: ProxyTcpRules;
  readonly #ctx: TcpRuleContext;
  readonly #runtime: Runtime;
  readonly #decided: (decision: ResponseDecision) => void;
  readonly #payload: Payload;
  #timer: TimerHandle | undefined;
  #done = false;

  constructor(runtime: Runtime, rules: ProxyTcpRules, ctx: TcpRuleContext, buffers: BufferSizes, decided: (decision: ResponseDecision) => void) {
    this.#runtime = runtime;
    this.#payload = new Payload(buffers);
    this.#rules = rules;
    this.#ctx = ctx;
    this.#decided = decided;
    ctx.responsePayload = this.#payload;
    ctx.vars.beginTcpResponse();
  }

  /** Server bytes arrived (`ended`: the server closed its side). */
  offer(chunk: Uint8Array | undefined, ended: boolean): void {
    if (this.#done) return;
    if (chunk !== undefined) {
      this.chunks.push(chunk);
      const old = this.#payload.bytes;
      const bytes = new Uint8Array(old.byteLength + chunk.byteLength);
      bytes.set(old, 0);
      bytes.set(chunk, old.byteLength);
      this.#payload.bytes = bytes;
    }
    if (ended) this.#payload.final = true;
    this.#evaluate();
  }

  cancel(): void {
    this.#done = true;
    if (this.#timer !== undefined) this.#runtime.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #evaluate(): void {
    const delay = this.#rules.responseInspectDelay;
    const payload = this.#payload;
    if (delay === undefined || delay === 0 || payload.bytes.byteLength >= payload.buffers.room) payload.final = true;
    const outcome = runTcpRules(this.#rules.response, this.#ctx, payload);
    if (outcome === 'missing') {
      this.#timer ??= this.#runtime.setTimer(() => {
        this.#timer = undefined;
        if (this.#done) return;
        payload.final = true;
        this.#evaluate();
      }, delay as number);
      return;
    }
    this.cancel();
    this.#decided(outcome);
  }
}
