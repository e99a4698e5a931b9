/**
 * `set-priority-class EXPR` and `set-priority-offset EXPR` (HAProxy 2.6's queue.c actions, for
 * `http-request` and `tcp-request content`): the stream's class (-2047..2047) and offset in ms
 * (-524287..524287), clamped, from an integer sample. An expression without a value changes
 * nothing. They order the stream if it waits in a queue (src/proxy/pending-queue.ts); the
 * `prio_class` and `prio_offset` fetches read them.
 */
import { limitPriorityClass, limitPriorityOffset } from '../../proxy/pending-queue.ts';
import { Verdict, type HttpAction, type HttpActionContext } from '../http-action.ts';
import { castSample } from '../sample-casts.ts';
import { Sample } from '../sample.ts';
import { compileSampleFetch, type SampleFetch } from '../sample-fetch.ts';
import type { SampleContext } from '../sample-context.ts';

/** What the priority actions set: the rule context of a stream implements it. */
export interface StreamPriority {
  priorityClass: number;
  priorityOffset: number;
}

const SCRATCH = new Sample();

export class SetPriority implements HttpAction {
  readonly #fetch: SampleFetch;
  readonly #offset: boolean;
  constructor(fetch: SampleFetch, offset: boolean) {
    this.#fetch = fetch;
    this.#offset = offset;
  }
  /** Also the tcp action's body: it reads the context only (tcp-actions.ts). */
  apply(ctx: SampleContext): void {
    const target = ctx as Partial<StreamPriority>;
    // Without a stream (no priority to set), as HAProxy's actions need one.
    if (target.priorityClass === undefined || !this.#fetch.sample(ctx, SCRATCH) || !castSample(SCRATCH, 'sint')) return;
    // HAProxy passes the 64-bit sample as an int: its low 32 bits.
    const value = SCRATCH.wide === undefined ? SCRATCH.num : Number(BigInt.asIntN(32, SCRATCH.wide));
    if (this.#offset) target.priorityOffset = limitPriorityOffset(value);
    else target.priorityClass = limitPriorityClass(value);
  }
  run(ctx: HttpActionContext): Verdict {
    this.apply(ctx);
    return Verdict.continue;
  }
}

export type PriorityActionCompile = { readonly ok: true; readonly action: SetPriority } | { readonly ok: false; readonly message: string };

export function compilePriorityAction(action: 'set-priority-class' | 'set-priority-offset', expression: string): PriorityActionCompile {
  const compiled = compileSampleFetch(expression, { direction: 'request' });
  if (!compiled.ok) return { ok: false, message: compiled.message };
  return { ok: true, action: new SetPriority(compiled.fetch, action === 'set-priority-offset') };
}
