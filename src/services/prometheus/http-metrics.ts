/** Metrics HAProxy's exporter gives only for HTTP proxies, and the `code` labels of http_responses_total. */
import type { StatField } from '../../stats/stat-fields.ts';

export const HTTP_ONLY: ReadonlySet<StatField> = new Set<StatField>([
  'req_rate_max', 'req_tot', 'intercepted', 'cache_lookups', 'cache_hits', 'comp_in', 'comp_out', 'comp_byp', 'comp_rsp',
  'hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other',
]);

const CODES: ReadonlyMap<StatField, string> = new Map<StatField, string>([
  ['hrsp_1xx', '1xx'], ['hrsp_2xx', '2xx'], ['hrsp_3xx', '3xx'], ['hrsp_4xx', '4xx'], ['hrsp_5xx', '5xx'], ['hrsp_other', 'other'],
]);

/** The `code` label of an hrsp_* column, undefined for any other column. */
export function hrspCode(field: StatField): string | undefined {
  return CODES.get(field);
}
