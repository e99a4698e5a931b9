/**
 * `haproxy_backend_*` (promex_dump_back_metrics): one sample per backend, metric by metric; the
 * status and the servers' aggregated states as one sample per state label.
 */
import type { Backend } from '../../proxy/backend.ts';
import type { ExpositionWriter, Labels } from './exposition.ts';
import { PROXY_METRICS } from './metric-tables.ts';
import { CHECK_STATES, PROXY_STATES, SERVER_STATES, serverState } from './object-states.ts';
import { cellValue, type ProxyStats } from './proxy-rows.ts';
import { HTTP_ONLY, hrspCode } from './http-metrics.ts';
import { timeMetricValue } from './time-metrics.ts';

/** HAProxy: UP while the servers have some weight in the balancer, or when there are no servers at all. */
function backendUp(backend: Backend, weight: number | undefined): boolean {
  return backend.servers.length === 0 || (weight ?? 0) > 0;
}

function countBy<T extends string>(states: readonly T[], of: readonly (string | undefined)[]): number[] {
  return states.map((state) => of.filter((s) => s === state).length);
}

function samplePerState(out: ExpositionWriter, proxy: readonly [string, string], states: readonly string[], values: readonly number[]): void {
  for (let i = 0; i < states.length; i++) {
    const labels: Labels = [proxy, ['state', states[i] as string]];
    out.sample(labels, values[i] as number);
  }
}

export function dumpBackends(out: ExpositionWriter, proxies: readonly ProxyStats[]): void {
  for (const metric of PROXY_METRICS) {
    if (!metric.kinds.includes('b') || metric.unkept.includes('b')) continue;
    out.begin(`haproxy_backend_${metric.name}`, metric.type, metric.help);
    for (const { entry, backend } of proxies) {
      if (backend === undefined) continue;
      const proxy: readonly [string, string] = ['proxy', entry.name];
      const servers = backend.backend.servers;
      switch (metric.field) {
        case 'status': {
          const up = backendUp(backend.backend, cellValue(backend.row, 'weight'));
          samplePerState(out, proxy, PROXY_STATES, PROXY_STATES.map((s) => ((s === 'UP') === up ? 1 : 0)));
          continue;
        }
        // agg_server_check_status is HAProxy's deprecated name of agg_server_status (same counts).
        case 'agg_server_status':
        case 'agg_server_check_status':
          if (servers.length > 0) samplePerState(out, proxy, SERVER_STATES, countBy(SERVER_STATES, servers.map(serverState)));
          continue;
        case 'agg_check_status':
          if (servers.length > 0) samplePerState(out, proxy, CHECK_STATES, countBy(CHECK_STATES, servers.map((s) => s.checkState?.status)));
          continue;
        default:
          break;
      }
      if (HTTP_ONLY.has(metric.field) && backend.backend.mode !== 'http') continue;
      const time = timeMetricValue(metric.field, backend.backend.counters.timeStats);
      if (time !== undefined) {
        out.sample([proxy], time);
        continue;
      }
      const code = hrspCode(metric.field);
      // A backend reached by an unlimited frontend has no fullconn (src/config/fullconn.ts).
      if (metric.field === 'slim' && cellValue(backend.row, 'slim') === undefined) continue;
      out.sample(code === undefined ? [proxy] : [proxy, ['code', code]], cellValue(backend.row, metric.field));
    }
  }
}
