/**
 * A proxy's `compression` lines and `filter` declarations as its model, with HAProxy's checks
 * (flt_http_comp.c check_implicit_http_comp_flt): compression without a `filter compression`
 * line is an implicit filter placed last, unless other filters are declared, which then
 * require the explicit line; and compression may not come before a cache filter.
 */
import type { ProxyDraft, Place } from './draft.ts';
import type { CompressionModel } from './model.ts';

export interface CompressionPart {
  compression?: CompressionModel;
  filters?: readonly string[];
}

export function compressionPartOf(proxy: ProxyDraft, report: ((place: Place, message: string) => void) | undefined): CompressionPart {
  const comp = proxy.compression;
  const declared = proxy.filters ?? [];
  const filters = declared.map((f) => f.name);
  if (comp !== undefined && report !== undefined) {
    const type = proxy.kind === 'listen' ? 'proxy' : proxy.kind;
    const compAt = filters.indexOf('compression');
    if (compAt >= 0 && filters.indexOf('cache', compAt) > compAt) {
      report(declared[compAt]!.place, `config: ${type} '${proxy.name}': unable to enable the compression filter before any cache filter.`);
    } else if (compAt < 0 && filters.some((f) => f !== 'fcgi-app')) {
      report(comp.place, `config: ${type} '${proxy.name}': require an explicit filter declaration to use HTTP compression`);
    }
  }
  // The implicit compression filter comes last.
  if (comp !== undefined && !filters.includes('compression')) filters.push('compression');
  return {
    ...(comp !== undefined ? { compression: { algos: [...comp.algos], types: [...comp.types], offload: comp.offload } } : {}),
    ...(filters.length > 0 ? { filters } : {}),
  };
}
