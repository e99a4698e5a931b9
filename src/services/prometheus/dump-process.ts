/** `haproxy_process_*`: `show info`'s figures (promex_dump_global_metrics). */
import { infoFields } from '../../runtime-api/commands/info.ts';
import type { RuntimeTarget } from '../../runtime-api/target.ts';
import { VERSION } from '../../version.ts';
import type { ExpositionWriter } from './exposition.ts';
import { PROCESS_METRICS } from './metric-tables.ts';

export function dumpProcess(out: ExpositionWriter, target: RuntimeTarget): void {
  const info = new Map(infoFields(target));
  for (const metric of PROCESS_METRICS) {
    out.begin(`haproxy_process_${metric.name}`, metric.type, metric.help);
    if (metric.name === 'build_info') {
      out.sample([['version', VERSION]], 1);
      continue;
    }
    // A line `show info` has but leaves empty is a figure Switchyard does not keep: left out.
    // One it does not have at all, or HAProxy leaves unset too (null: zlib memory without
    // zlib), is NaN.
    const value = info.get(metric.info);
    if (value === null || !info.has(metric.info)) out.sample([], undefined);
    else if (typeof value === 'number') out.sample([], value);
  }
}
