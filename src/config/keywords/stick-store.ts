/**
 * The `store` argument of `stick-table` (HAProxy's stick_table.c parse_stick_table and
 * stktable_alloc_data_type): a comma-separated list of data types, rates with their period in
 * parentheses (`store http_req_rate(10s),gpc0,conn_cur`); `store` may be repeated. HAProxy's
 * messages are kept.
 */
import type { StickStoreModel } from '../model.ts';
import { STICK_ARRAY_MAX, isArrayType, isRateType, isStickDataType } from '../../stick/stick-data.ts';
import { parseDuration } from '../time.ts';
import { atol } from './args.ts';

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
      if (name === 'server_key') {
        return { ok: false, message: `stick-table: store option '${name}' is not supported by Switchyard yet.` };
      }
      return { ok: false, message: `stick-table: unknown store option '${name}'.` };
    }
    if (stores.some((s) => s.type === name)) {
      warnings.push(`stick-table: store option '${name}' already enabled, ignored.`);
      continue;
    }
    let elements: number | undefined;
    if (isArrayType(name)) {
      // Arrays take their element count first (`gpc(3)`, `gpc_rate(3,10s)`): stktable_alloc_data_type.
      if (arg === undefined) return { ok: false, message: `stick-table: missing argument to store option '${name}'.` };
      const comma = arg.indexOf(',');
      elements = atol(comma < 0 ? arg : arg.slice(0, comma));
      if (elements < 1 || elements > STICK_ARRAY_MAX) {
        return { ok: false, message: `stick-table: array size is out of allowed range (1-${STICK_ARRAY_MAX}) for store option '${name}'.` };
      }
      arg = comma < 0 ? undefined : arg.slice(arg.lastIndexOf(',') + 1);
    }
    const conflict = legacyConflict(name, stores);
    if (isRateType(name)) {
      if (arg === undefined) return { ok: false, message: `stick-table: missing argument to store option '${name}'.` };
      const period = parseDuration(arg);
      if (!period.ok) return { ok: false, message: `stick-table: ${period.message} in argument to store option '${name}'.` };
      if (period.ms <= 0) return { ok: false, message: `stick-table: store option '${name}' needs a period above 0.` };
      stores.push(elements === undefined ? { type: name, period: period.ms } : { type: name, period: period.ms, elements });
    } else {
      if (arg !== undefined) return { ok: false, message: `stick-table: unexpected argument to store option '${name}'.` };
      stores.push(elements === undefined ? { type: name } : { type: name, elements });
    }
    if (conflict !== undefined) return { ok: false, message: conflict };
  }
  return { ok: true, warnings };
}


/** HAProxy refuses an array beside the legacy types it overrides (checked after each store item). */
function legacyConflict(name: string, stores: readonly StickStoreModel[]): string | undefined {
  const has = (type: string): boolean => name === type || stores.some((s) => s.type === type);
  if (has('gpt') && has('gpt0')) {
    return "stick-table: simultaneous usage of 'gpt' and 'gpt0' in a same table is not permitted as 'gpt' overrides 'gpt0'.";
  }
  if (has('gpc') && (has('gpc0') || has('gpc1'))) {
    return "stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'.";
  }
  if (has('gpc_rate') && (has('gpc0_rate') || has('gpc1_rate'))) {
    return "stick-table: simultaneous usage of 'gpc_rate' and 'gpc[0/1]_rate' in a same table is not permitted as 'gpc_rate' overrides 'gpc[0/1]_rate'.";
  }
  return undefined;
}
