/**
 * The `store` argument of `stick-table` (HAProxy's stick_table.c parse_stick_table and
 * stktable_alloc_data_type): a comma-separated list of data types, rates with their period in
 * parentheses (`store http_req_rate(10s),gpc0,conn_cur`); `store` may be repeated. HAProxy's
 * messages are kept.
 */
import type { StickStoreModel } from '../model.ts';
import { isRateType, isStickDataType } from '../../stick/stick-data.ts';
import { parseDuration } from '../time.ts';

export type StoreParse = { readonly ok: true; readonly warnings: readonly string[] } | { readonly ok: false; readonly message: string };

/** Adds the items of one `store` word to `stores`. */
export function parseStoreList(text: string, stores: StickStoreModel[]): StoreParse {
  const warnings: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = i;
    let name = '';
    let arg: string | undefined;
    while (end < text.length && text[end] !== ',') {
      if (text[end] === '(') {
        name = text.slice(i, end);
        const close = text.indexOf(')', end);
        if (close < 0) return { ok: false, message: `stick-table: missing closing parenthesis after store option '${name}'.` };
        arg = text.slice(end + 1, close);
        end = close + 1;
        // HAProxy skips what follows ')' up to the comma.
        while (end < text.length && text[end] !== ',') end++;
        break;
      }
      end++;
    }
    if (arg === undefined) name = text.slice(i, end);
    i = end + 1;
    if (!isStickDataType(name)) {
      if (name === 'gpt' || name === 'gpc' || name === 'gpc_rate' || name === 'server_key') {
        return { ok: false, message: `stick-table: store option '${name}' is not supported by Switchyard yet.` };
      }
      return { ok: false, message: `stick-table: unknown store option '${name}'.` };
    }
    if (stores.some((s) => s.type === name)) {
      warnings.push(`stick-table: store option '${name}' already enabled, ignored.`);
      continue;
    }
    if (isRateType(name)) {
      if (arg === undefined) return { ok: false, message: `stick-table: missing argument to store option '${name}'.` };
      const period = parseDuration(arg);
      if (!period.ok) return { ok: false, message: `stick-table: ${period.message} in argument to store option '${name}'.` };
      if (period.ms <= 0) return { ok: false, message: `stick-table: store option '${name}' needs a period above 0.` };
      stores.push({ type: name, period: period.ms });
    } else {
      if (arg !== undefined) return { ok: false, message: `stick-table: unexpected argument to store option '${name}'.` };
      stores.push({ type: name });
    }
  }
  return { ok: true, warnings };
}
