/**
 * One channel's content rules deciding on its first bytes (HAProxy's tcp_inspect_request and
 * tcp_inspect_response): the bytes are kept and offered to the rules as the payload each time
 * more arrive; a condition that needs bytes not received yet, or an action that yields (a
 * `do-resolve` waiting for its name, a `track-sc` key not complete), makes the list wait, until
 * the payload is final — the inspect delay expired (armed once, at the first wait: rules_exp),
 * the buffer is full or the peer closed its side — when the rules decide on what is there. A
 * yielded action is where the list resumes (TcpRuleCursor). Without an inspect delay the rules
 * decide at once. Used by the frontend's content rules (src/proxy/content-wait.ts), a tcp
 * backend's (src/l4/tcp-session.ts) and the response rules (src/l4/response-inspection.ts).
 */
import type { Runtime, TimerHandle } from '../../runtime.ts';
import type { Payload } from '../payload.ts';
import type { TcpActionContext } from './tcp-action.ts';
import { runTcpRules, TcpRuleCursor, type ProxyTcpRules, type TcpRulesOutcome } from './tcp-rules.ts';

export type ContentDecision = Exclude<TcpRulesOutcome, 'missing'>;

export class ContentInspection {
  /** The bytes received so far, as they came (handed on once the rules decided). */
  readonly chunks: Uint8Array[] = [];
  readonly payload: Payload;
  readonly #runtime: Runtime;
  readonly #rules: ProxyTcpRules['content'];
  readonly #delay: number | undefined;
  readonly #ctx: TcpActionContext;
  readonly #decided: (decision: ContentDecision) => void;
  readonly #cursor = new TcpRuleCursor();
  #timer: TimerHandle | undefined;
  #done = false;

  constructor(runtime: Runtime, rules: ProxyTcpRules['content'], delay: number | undefined, ctx: TcpActionContext, payload: Payload, decided: (decision: ContentDecision) => void) {
    this.#runtime = runtime;
    this.#rules = rules;
    this.#delay = delay;
    this.#ctx = ctx;
    this.payload = payload;
    this.#decided = decided;
  }

  get done(): boolean {
    return this.#done;
  }

  /** The inspection buffer is full: the peer is not read further until the rules decided. */
  get full(): boolean {
    return this.payload.bytes.byteLength >= this.payload.buffers.room;
  }

  /** Keeps bytes (without deciding: evaluate() does). */
  append(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    const old = this.payload.bytes;
    const bytes = new Uint8Array(old.byteLength + chunk.byteLength);
    bytes.set(old, 0);
    bytes.set(chunk, old.byteLength);
    this.payload.bytes = bytes;
  }

  /** The peer closed its side: no more bytes will come. */
  end(): void {
    this.payload.final = true;
  }

  /** Runs the rules on what is there (more bytes, the end, or a `do-resolve` that has its answer). */
  evaluate(): void {
    if (this.#done) return;
    const delay = this.#delay;
    const payload = this.payload;
    if (delay === undefined || delay === 0 || this.full) payload.final = true;
    const outcome = runTcpRules(this.#rules, this.#ctx, payload, this.#cursor);
    if (outcome === 'missing') {
      this.#timer ??= this.#runtime.setTimer(this.#expired, delay as number);
      return;
    }
    this.cancel();
    payload.final = true;
    this.#decided(outcome);
  }

  readonly #expired = (): void => {
    this.#timer = undefined;
    if (this.#done) return;
    this.payload.final = true;
    this.evaluate();
  };

  /** No decision is wanted any more (decided, or the stream ends). */
  cancel(): void {
    this.#done = true;
    if (this.#timer !== undefined) this.#runtime.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
