/**
 * `clear counters [all]` (stats.c): the maxima (operator level), or every counter (admin).
 * Gauges of what is in progress (current sessions, queue lengths, held connections) are not
 * counters and stay, as HAProxy keeps them outside its counter structures.
 */
import type { BackendCounters, FrontendCounters, RateCounter } from '../../proxy/counters.ts';
import { initFreqCtr } from '../../stick/freq-counter.ts';
import { usage, type CliCommand } from '../command.ts';
import { levelAllows } from '../levels.ts';
import { NO_ANSWER, PERMISSION_DENIED } from '../output.ts';

const GAUGES = new Set(['scur', 'qcur', 'waiting', 'openConns', 'openStreams']);
const MAXIMA = new Set(['smax', 'qmax', 'sessRateMax', 'reqRateMax', 'connRateMax']);

function clear(counters: FrontendCounters | BackendCounters | object, all: boolean): void {
  const record = counters as unknown as Record<string, number | number[] | RateCounter | object>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === 'h2' && typeof value === 'object') {
      // The h2 stats module is clearable with the rest (its gauges stay, as scur does).
      clear(value, all);
    } else if (value instanceof Float64Array) {
      // A per-second rate (counters.ts): it starts again from nothing.
      if (all) initFreqCtr(value, 0);
    } else if (Array.isArray(value)) {
      if (all) value.fill(0);
    } else if (typeof value === 'number' && (MAXIMA.has(key) || (all && !GAUGES.has(key)))) {
      record[key] = 0;
    }
  }
}

export const counterCommands: readonly CliCommand[] = [
  {
    words: ['clear', 'counters'],
    usage: usage('clear counters [all]', 'clear max statistics counters (or all counters)'),
    level: 'operator',
    run: (args, ctx) => {
      const all = args[2] === 'all';
      if (all && !levelAllows(ctx.session.level, 'admin')) return PERMISSION_DENIED;
      for (const p of ctx.target.proxies) {
        if (p.frontend !== undefined) clear(p.frontend.counters, all);
        if (p.backend === undefined) continue;
        clear(p.backend.counters, all);
        for (const s of p.backend.servers) clear(s.counters, all);
      }
      return NO_ANSWER;
    },
  },
];
