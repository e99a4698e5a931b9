/** `haproxy_sticktable_*` (promex_dump_sticktable_metrics): size and entries in use, per table. */
import type { RuntimeTarget } from '../../runtime-api/target.ts';
import type { ExpositionWriter } from './exposition.ts';

const METRICS = [
  { name: 'size', help: 'Stick table size.', value: (t: { size: number }) => t.size },
  { name: 'used', help: 'Number of entries used in this stick table.', value: (t: { entries: number }) => t.entries },
] as const;

export function dumpStickTables(out: ExpositionWriter, target: RuntimeTarget): void {
  for (const metric of METRICS) {
    out.begin(`haproxy_sticktable_${metric.name}`, 'gauge', metric.help);
    for (const table of target.stickTables.values()) {
      if (table.size === 0) continue;
      out.sample([['name', table.name], ['type', table.type]], metric.value(table));
    }
  }
}
