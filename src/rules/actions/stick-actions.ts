/**
 * The stick counter actions (HAProxy 2.6's http_act.c http_action_track_sc, stick_table.c
 * action_inc_gpc / action_set_gpt): `track-scN KEY [table T]` tracks the key's entry in slot
 * N for this stream and counts the current request on it (and, on a response, its 4xx/5xx);
 * `sc-inc-gpc0|1(N)`, `sc-set-gpt0(N)` and their array forms `sc-inc-gpc(I,N)`,
 * `sc-set-gpt(I,N)` change what slot N tracks. Every one does nothing
 * when there is nothing to track or nothing tracked; none ends the rule list.
 */
import type { HttpStickRuleModel } from '../../config/model.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { compileSampleFetch, type SampleFetch, type SampleDirection } from '../sample-fetch.ts';
import { Sample, sampleInt } from '../sample.ts';
import { defaultStickTable } from '../../stick/table-scope.ts';
import type { SampleContext } from '../sample-context.ts';

class TrackScAction implements HttpAction {
  readonly #slot: number;
  readonly #table: string | undefined;
  readonly #key: SampleFetch;
  readonly #response: boolean;
  constructor(slot: number, table: string | undefined, key: SampleFetch, response: boolean) {
    this.#slot = slot;
    this.#table = table;
    this.#key = key;
    this.#response = response;
  }

  run(ctx: HttpActionContext): Verdict {
    const stick = ctx.stick;
    const slot = this.#slot;
    // HAProxy keeps the stream's first tracker of a slot.
    if (stick === undefined || this.#table === undefined || stick.stream.entry(slot) !== undefined) return Verdict.continue;
    const table = stick.table(this.#table);
    if (table === undefined) return Verdict.continue;
    const sample = this.#key.fetch(ctx);
    if (sample === undefined) return Verdict.continue;
    const key = table.keyOf(sample);
    if (key === undefined) return Verdict.continue;
    const now = stick.now();
    const entry = stick.track(stick.stream, slot, table, key, now);
    if (entry === undefined) return Verdict.continue;
    // The request being processed counts: it was counted before this tracker existed.
    table.count(entry, 'http_req', 1, now);
    if (this.#response && ctx.response !== undefined) {
      const status = ctx.responseStatus ?? ctx.response.status;
      if (status >= 400 && status < 500) table.count(entry, 'http_err', 1, now);
      else if (status >= 500 && status < 600 && status !== 501 && status !== 505) table.count(entry, 'http_fail', 1, now);
    }
    table.touch(entry, now);
    return Verdict.continue;
  }
}

/**
 * `sc-inc-gpc0|1(N)` (`which` names the counter) and `sc-inc-gpc(I,N)` (`which` is the array
 * element I); runs in any sample context that tracks (http and tcp rules).
 */
export class IncGpcAction implements HttpAction {
  readonly #slot: number;
  readonly #which: 'gpc0' | 'gpc1' | number;
  constructor(slot: number, which: 'gpc0' | 'gpc1' | number) {
    this.#slot = slot;
    this.#which = which;
  }

  run(ctx: SampleContext): Verdict {
    const stick = ctx.stick;
    const entry = stick?.trackedEntry(this.#slot);
    if (stick === undefined || entry === undefined) return Verdict.continue;
    const table = stick.trackedTable(this.#slot);
    if (table === undefined) return Verdict.continue;
    const now = stick.now();
    const which = this.#which;
    const counted = typeof which === 'number' ? table.countGpc(entry, which, 1, now) : table.count(entry, which, 1, now);
    if (counted) table.touch(entry, now);
    return Verdict.continue;
  }
}

const SCRATCH = new Sample();

/**
 * `sc-set-gpt0(N) VALUE|EXPR` (`index` undefined) and `sc-set-gpt(I,N) VALUE|EXPR` (element I);
 * runs in any sample context that tracks (http and tcp rules).
 */
export class SetGptAction implements HttpAction {
  readonly #slot: number;
  readonly #index: number | undefined;
  readonly #value: number | SampleFetch;
  constructor(slot: number, value: number | SampleFetch, index?: number) {
    this.#slot = slot;
    this.#value = value;
    this.#index = index;
  }

  run(ctx: SampleContext): Verdict {
    const stick = ctx.stick;
    const entry = stick?.trackedEntry(this.#slot);
    if (stick === undefined || entry === undefined) return Verdict.continue;
    const table = stick.trackedTable(this.#slot);
    if (table === undefined) return Verdict.continue;
    let value: number;
    if (typeof this.#value === 'number') {
      value = this.#value;
    } else {
      if (!this.#value.sample(ctx, SCRATCH)) return Verdict.continue;
      const n = sampleInt(SCRATCH);
      if (n === undefined) return Verdict.continue;
      value = n;
    }
    // gpt0 and gpt[] are unsigned 32-bit tags in HAProxy.
    const set = this.#index === undefined ? table.setCounter(entry, 'gpt0', value >>> 0) : table.setElement(entry, 'gpt', this.#index, value >>> 0);
    if (set) table.touch(entry, stick.now());
    return Verdict.continue;
  }
}

export function compileStickAction(rule: HttpStickRuleModel, direction: SampleDirection): HttpActionCompile {
  switch (rule.action) {
    case 'track-sc': {
      const key = compileSampleFetch(rule.key, { direction });
      if (!key.ok) return key;
      return { ok: true, action: new TrackScAction(rule.slot, defaultStickTable(rule.table), key.fetch, direction === 'response') };
    }
    case 'sc-inc-gpc0':
    case 'sc-inc-gpc1':
      return { ok: true, action: new IncGpcAction(rule.slot, rule.action === 'sc-inc-gpc0' ? 'gpc0' : 'gpc1') };
    case 'sc-inc-gpc':
      return { ok: true, action: new IncGpcAction(rule.slot, rule.index) };
    case 'sc-set-gpt0':
    case 'sc-set-gpt': {
      const index = rule.action === 'sc-set-gpt' ? rule.index : undefined;
      const value = compileGptValue(rule.value, direction);
      if (!value.ok) return value;
      return { ok: true, action: new SetGptAction(rule.slot, value.value, index) };
    }
  }
}

/** The VALUE|EXPR of sc-set-gpt0/sc-set-gpt: an integer, else a sample expression. */
export function compileGptValue(text: string, direction: SampleDirection): { readonly ok: true; readonly value: number | SampleFetch } | { readonly ok: false; readonly message: string } {
  if (/^-?\d+$/.test(text)) return { ok: true, value: Number(text) };
  const value = compileSampleFetch(text, { direction });
  return value.ok ? { ok: true, value: value.fetch } : value;
}
