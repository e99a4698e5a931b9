/**
 * `haproxy_listener_*` (promex_dump_listener_metrics): one sample per listener of the
 * frontends with `option socket-stats`, labelled `proxy` and `listener`, metric by metric,
 * read from the listener's `show stat` row (src/stats/stat-rows.ts listenerRow), the threads'
 * figures added up as for the other rows.
 */
import { statIndex } from '../../stats/stat-fields.ts';
import type { StatRow } from '../../stats/stat-rows.ts';
import type { ExpositionWriter } from './exposition.ts';
import { PROXY_METRICS } from './metric-tables.ts';
import type { ProxyStats } from './proxy-rows.ts';

/** li_status_st. */
export const LISTENER_STATES = ['WAITING', 'OPEN', 'FULL'] as const;

export function dumpListeners(out: ExpositionWriter, proxies: readonly ProxyStats[]): void {
  const rows: StatRow[] = [];
  for (const { frontend } of proxies) if (frontend !== undefined) rows.push(...frontend.listeners);
  for (const metric of PROXY_METRICS) {
    if (!metric.kinds.includes('l') || metric.unkept.includes('l')) continue;
    out.begin(`haproxy_listener_${metric.name}`, metric.type, metric.help);
    const column = statIndex(metric.field);
    for (const r of rows) {
      const labels: [string, string][] = [
        ['proxy', String(r.cells[statIndex('pxname')])],
        ['listener', String(r.cells[statIndex('svname')])],
      ];
      const value = r.cells[column];
      if (metric.field === 'status') {
        for (const s of LISTENER_STATES) out.sample([...labels, ['state', s]], s === value ? 1 : 0);
        continue;
      }
      out.sample(labels, typeof value === 'number' ? value : undefined);
    }
  }
}
