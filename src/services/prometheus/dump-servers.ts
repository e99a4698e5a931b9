/**
 * `haproxy_server_*` (promex_dump_srv_metrics): one sample per server, metric by metric; the
 * status and the last check's status as one sample per state label. `no-maint` leaves out
 * servers in maintenance.
 */
import type { ExpositionWriter } from './exposition.ts';
import { PROXY_METRICS } from './metric-tables.ts';
import { CHECK_STATES, SERVER_STATES, checkCode, checkFinished, checkRunning, serverState } from './object-states.ts';
import { cellValue, type ProxyStats } from './proxy-rows.ts';
import { HTTP_ONLY, hrspCode } from './http-metrics.ts';
import { timeMetricValue } from './time-metrics.ts';

export function dumpServers(out: ExpositionWriter, proxies: readonly ProxyStats[], noMaint: boolean): void {
  for (const metric of PROXY_METRICS) {
    if (!metric.kinds.includes('s') || metric.unkept.includes('s')) continue;
    out.begin(`haproxy_server_${metric.name}`, metric.type, metric.help);
    for (const { entry, backend } of proxies) {
      if (backend === undefined) continue;
      if (HTTP_ONLY.has(metric.field) && backend.backend.mode !== 'http') continue;
      const proxy: readonly [string, string] = ['proxy', entry.name];
      for (const { server, row } of backend.servers) {
        if (noMaint && server.status === 'MAINT') continue;
        const labels: [readonly [string, string], readonly [string, string]] = [proxy, ['server', server.name]];
        switch (metric.field) {
          case 'status': {
            const state = serverState(server);
            for (const s of SERVER_STATES) out.sample([...labels, ['state', s]], s === state ? 1 : 0);
            continue;
          }
          case 'check_status': {
            if (!checkRunning(server)) continue;
            const status = server.checkState?.status;
            for (const s of CHECK_STATES) out.sample([...labels, ['state', s]], s === status ? 1 : 0);
            continue;
          }
          case 'check_code':
            if (checkRunning(server)) out.sample(labels, checkCode(server));
            continue;
          case 'check_duration': {
            const state = server.checkState;
            if (state !== undefined && checkFinished(state.status)) out.sample(labels, { seconds: Math.max(0, state.duration) / 1000 });
            continue;
          }
          default:
            break;
        }
        const time = timeMetricValue(metric.field, server.counters.timeStats);
        if (time !== undefined) {
          out.sample(labels, time);
          continue;
        }
        const code = hrspCode(metric.field);
        out.sample(code === undefined ? labels : [...labels, ['code', code]], cellValue(row, metric.field));
      }
    }
  }
}
