/**
 * The stick counter actions (HAProxy 2.6's http_act.c http_action_track_sc, stick_table.c
 * action_inc_gpc0 / action_set_gpt0): `track-scN KEY [table T]` tracks the key's entry in slot
 * N for this stream and counts the current request on it (and, on a response, its 4xx/5xx);
 * `sc-inc-gpc0|1(N)` and `sc-set-gpt0(N)` change what slot N tracks. Every one does nothing
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

/** `sc-inc-gpc0|1(N)`; runs in any sample context that tracks (http and tcp rules). */
export class IncGpcAction implements HttpAction {
  readonly #slot: number;
  readonly #which: 'gpc0' | 'gpc1';
  constructor(slot: number, which: 'gpc0' | 'gpc1') {
    this.#slot = slot;
    this.#which = which;
  }

  run(ctx: SampleContext): Verdict {
    const stick = ctx.stick;
    const entry = stick?.trackedEntry(this.#slot);
    if (stick === undefined || entry === undefined) return Verdict.continue;
    const table = stick.trackedTable(this.#slot);
    const now = stick.now();
    if (table !== undefined && table.count(entry, this.#which, 1, now)) table.touch(entry, now);
    return Verdict.continue;
  }
}

const SCRATCH = new Sample();

/** `sc-set-gpt0(N) VALUE|EXPR`; runs in any sample context that tracks (http and tcp rules). */
export class SetGpt0Action implements HttpAction {
  readonly #slot: number;
  readonly #value: number | SampleFetch;
  constructor(slot: number, value: number | SampleFetch) {
    this.#slot = slot;
    this.#value = value;
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
    // gpt0 is an unsigned 32-bit tag in HAProxy.
    if (table.setCounter(entry, 'gpt0', value >>> 0)) table.touch(entry, stick.now());
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
    case 'sc-set-gpt0': {
      if (/^-?\d+$/.test(rule.value)) return { ok: true, action: new SetGpt0Action(rule.slot, Number(rule.value)) };
      const value = compileSampleFetch(rule.value, { direction });
      if (!value.ok) return value;
      return { ok: true, action: new SetGpt0Action(rule.slot, value.fetch) };
    }
  }
}
