/**
 * `haproxy_listener_*` (promex_dump_listener_metrics): one sample per listener of the
 * frontends with `option socket-stats`, labelled `proxy` and `listener`, metric by metric.
 * Switchyard keeps connection figures per listener (src/proxy/listener-stats.ts): the byte,
 * request and rewrite counters are left out for listeners (the tables' `unkept`).
 */
import type { Frontend } from '../../proxy/frontend.ts';
import type { ListenerStats } from '../../proxy/listener-stats.ts';
import type { StatField } from '../../stats/stat-fields.ts';
import type { ExpositionWriter } from './exposition.ts';
import { PROXY_METRICS } from './metric-tables.ts';
import type { ProxyStats } from './proxy-rows.ts';

/** li_status_st. */
export const LISTENER_STATES = ['WAITING', 'OPEN', 'FULL'] as const;

/** The listener's maxconn (HAProxy gives a listener its frontend's), 0 without a limit. */
function limit(frontend: Frontend, globalMaxconn: number): number {
  return frontend.maxconn || globalMaxconn;
}

/** get_li_status: FULL at its limit, WAITING while the process is at its global limit, else OPEN. */
function state(listener: ListenerStats, frontend: Frontend, globalMaxconn: number): (typeof LISTENER_STATES)[number] {
  const max = limit(frontend, globalMaxconn);
  if (max > 0 && listener.counters.scur >= max) return 'FULL';
  return frontend.limits.full ? 'WAITING' : 'OPEN';
}

function value(field: StatField, listener: ListenerStats, frontend: Frontend, globalMaxconn: number): number | undefined {
  const c = listener.counters;
  switch (field) {
    case 'scur':
      return c.scur;
    case 'smax':
      return c.smax;
    case 'slim':
      return limit(frontend, globalMaxconn);
    case 'stot':
      return c.stot;
    case 'dcon':
      return c.deniedConnections;
    case 'dses':
      return c.deniedSessions;
    default:
      return undefined;
  }
}

export function dumpListeners(out: ExpositionWriter, proxies: readonly ProxyStats[], globalMaxconn: number): void {
  for (const metric of PROXY_METRICS) {
    if (!metric.kinds.includes('l') || metric.unkept.includes('l')) continue;
    out.begin(`haproxy_listener_${metric.name}`, metric.type, metric.help);
    for (const { entry, frontend } of proxies) {
      const listeners = frontend?.frontend.listenerStats;
      if (frontend === undefined || listeners === undefined) continue;
      for (const listener of listeners.values()) {
        const labels: [string, string][] = [
          ['proxy', entry.name],
          ['listener', listener.name],
        ];
        if (metric.field === 'status') {
          const current = state(listener, frontend.frontend, globalMaxconn);
          for (const s of LISTENER_STATES) out.sample([...labels, ['state', s]], s === current ? 1 : 0);
          continue;
        }
        out.sample(labels, value(metric.field, listener, frontend.frontend, globalMaxconn));
      }
    }
  }
}
