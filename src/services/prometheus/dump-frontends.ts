/** `haproxy_frontend_*` (promex_dump_front_metrics): one sample per frontend, metric by metric. */
import { statIndex } from '../../stats/stat-fields.ts';
import type { ExpositionWriter } from './exposition.ts';
import { PROXY_METRICS } from './metric-tables.ts';
import { PROXY_STATES } from './object-states.ts';
import { cellValue, type ProxyStats } from './proxy-rows.ts';
import { HTTP_ONLY, hrspCode } from './http-metrics.ts';

export function dumpFrontends(out: ExpositionWriter, proxies: readonly ProxyStats[]): void {
  for (const metric of PROXY_METRICS) {
    if (!metric.kinds.includes('f') || metric.unkept.includes('f')) continue;
    out.begin(`haproxy_frontend_${metric.name}`, metric.type, metric.help);
    for (const { entry, frontend } of proxies) {
      if (frontend === undefined) continue;
      const proxy: readonly [string, string] = ['proxy', entry.name];
      if (metric.field === 'status') {
        // HAProxy: UP unless the proxy is stopped (`shutdown frontend`, soft stop).
        const up = frontend.row.cells[statIndex('status')] !== 'STOP';
        for (const state of PROXY_STATES) out.sample([proxy, ['state', state]], (state === 'UP') === up ? 1 : 0);
        continue;
      }
      if (HTTP_ONLY.has(metric.field) && frontend.frontend.model.mode !== 'http') continue;
      const code = hrspCode(metric.field);
      out.sample(code === undefined ? [proxy] : [proxy, ['code', code]], cellValue(frontend.row, metric.field));
    }
  }
}
