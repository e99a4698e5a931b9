/**
 * The `show stat` rows of every proxy, computed once per scrape: the exporter reads its values
 * from them, so the stats socket, a stats page and the exporter agree on every number.
 */
import type { Backend } from '../../proxy/backend.ts';
import type { Frontend } from '../../proxy/frontend.ts';
import type { Server } from '../../proxy/server.ts';
import type { ProxyEntry, RuntimeTarget } from '../../runtime-api/target.ts';
import { statIndex, type StatField } from '../../stats/stat-fields.ts';
import { backendRow, frontendRow, listenerRow, serverRow, statContextOf, type StatRow } from '../../stats/stat-rows.ts';
import { mergeThreadRows } from '../../stats/stat-merge.ts';

export interface ServerStats {
  readonly server: Server;
  readonly row: StatRow;
}

export interface ProxyStats {
  readonly entry: ProxyEntry;
  /** `listeners`: the rows of its binds under `option socket-stats` (none without). */
  readonly frontend: { readonly frontend: Frontend; readonly row: StatRow; readonly listeners: readonly StatRow[] } | undefined;
  readonly backend: { readonly backend: Backend; readonly row: StatRow; readonly servers: readonly ServerStats[] } | undefined;
}

export function proxyStats(target: RuntimeTarget, others: readonly StatRow[][] = []): ProxyStats[] {
  const ctx = statContextOf(target);
  const stats = target.proxies.map((entry) => {
    const f = entry.frontend;
    const b = entry.backend;
    return {
      entry,
      frontend:
        f === undefined
          ? undefined
          : { frontend: f, row: frontendRow(entry, f, ctx), listeners: f.listenerStats === undefined ? [] : [...f.listenerStats.values()].map((l) => listenerRow(entry, f, l)) },
      backend:
        b === undefined
          ? undefined
          : { backend: b, row: backendRow(entry, b, ctx), servers: b.servers.map((server) => ({ server, row: serverRow(entry, b, server, ctx) })) },
    };
  });
  if (others.length > 0) {
    const rows: StatRow[] = [];
    for (const p of stats) {
      if (p.frontend !== undefined) rows.push(p.frontend.row, ...p.frontend.listeners);
      if (p.backend !== undefined) rows.push(p.backend.row, ...p.backend.servers.map((s) => s.row));
    }
    mergeThreadRows(rows, others);
  }
  return stats;
}

/** A cell as a sample value: numbers as they are, anything else (empty, text) NaN as in HAProxy. */
export function cellValue(row: StatRow, field: StatField): number | undefined {
  const cell = row.cells[statIndex(field)];
  return typeof cell === 'number' ? cell : undefined;
}
