/**
 * Stick counter actions of tcp rules (HAProxy's tcp_rules.c with stkctr actions):
 * `tcp-request connection|session|content track-scN KEY [table T]` tracks the key's entry in
 * slot N for the whole client connection (the session's slots: in mode http every keep-alive
 * request counts on it, and its conn_cur is the number of open connections of the key, the
 * per-IP connection limit of docs/rate-limiting.md); `sc-inc-gpc0|1(N)`, `sc-set-gpt0(N)`, `sc-inc-gpc(I,N)`, `sc-set-gpt(I,N)`
 * change what a slot tracks, as in http rules. None ends the rule list.
 */
import type { HttpStickRuleModel } from '../../config/model.ts';
import { IncGpcAction, SetGptAction, compileGptValue } from '../actions/stick-actions.ts';
import { compileSampleFetch, type SampleDirection, type SampleFetch } from '../sample-fetch.ts';
import { defaultStickTable } from '../../stick/table-scope.ts';
import { TcpVerdict, type TcpAction, type TcpActionCompile, type TcpActionContext } from './tcp-action.ts';

class TcpTrackSc implements TcpAction {
  readonly #slot: number;
  readonly #table: string | undefined;
  readonly #key: SampleFetch;
  constructor(slot: number, table: string | undefined, key: SampleFetch) {
    this.#slot = slot;
    this.#table = table;
    this.#key = key;
  }

  run(ctx: TcpActionContext): TcpVerdict {
    const stick = ctx.stick;
    // HAProxy keeps the first tracker of a slot.
    if (stick === undefined || this.#table === undefined || stick.session.entry(this.#slot) !== undefined) return TcpVerdict.continue;
    const table = stick.table(this.#table);
    if (table === undefined) return TcpVerdict.continue;
    const payload = ctx.requestPayload;
    const before = payload?.mayChange ?? false;
    if (payload !== undefined) payload.mayChange = false;
    const sample = this.#key.fetch(ctx);
    // HAProxy's tcp_action_track_sc: a key that may still appear (an HTTP request not complete
    // yet) makes the content rules wait, until the inspect delay ends.
    const waiting = payload !== undefined && payload.mayChange && !payload.final;
    if (payload !== undefined) payload.mayChange ||= before;
    if (sample === undefined) return waiting ? TcpVerdict.yield : TcpVerdict.continue;
    const key = table.keyOf(sample);
    if (key === undefined) return TcpVerdict.continue;
    stick.track(stick.session, this.#slot, table, key, stick.now());
    return TcpVerdict.continue;
  }
}

/** An http stick action that reads only the sample context, run as a tcp action. */
class Counter implements TcpAction {
  readonly #action: IncGpcAction | SetGptAction;
  constructor(action: IncGpcAction | SetGptAction) {
    this.#action = action;
  }
  run(ctx: TcpActionContext): TcpVerdict {
    this.#action.run(ctx);
    return TcpVerdict.continue;
  }
}

export function compileTcpStickAction(rule: HttpStickRuleModel, direction: SampleDirection): TcpActionCompile {
  switch (rule.action) {
    case 'track-sc': {
      const key = compileSampleFetch(rule.key, { direction });
      if (!key.ok) return key;
      return { ok: true, action: new TcpTrackSc(rule.slot, defaultStickTable(rule.table), key.fetch) };
    }
    case 'sc-inc-gpc0':
    case 'sc-inc-gpc1':
      return { ok: true, action: new Counter(new IncGpcAction(rule.slot, rule.action === 'sc-inc-gpc0' ? 'gpc0' : 'gpc1')) };
    case 'sc-inc-gpc':
      return { ok: true, action: new Counter(new IncGpcAction(rule.slot, rule.index)) };
    case 'sc-set-gpt0':
    case 'sc-set-gpt': {
      const value = compileGptValue(rule.value, direction);
      if (!value.ok) return value;
      return { ok: true, action: new Counter(new SetGptAction(rule.slot, value.value, rule.action === 'sc-set-gpt' ? rule.index : undefined)) };
    }
  }
}
