/**
 * The typed forms of the stat rows (HAProxy 2.6's stats_dump_fields_typed and _json): one entry
 * per filled cell, with the column's position and name, its tags and value type (stat-types.ts).
 * `show stat typed|json` and the stats page's `;typed` / `;json` print these.
 */
import { STAT_FIELDS, type StatField } from './stat-fields.ts';
import { StatRowType, type StatRow } from './stat-rows.ts';
import { STAT_TAGS } from './stat-types.ts';

const OBJ_LETTER = ['F', 'B', 'S'] as const;
const OBJ_NAME = ['Frontend', 'Backend', 'Server'] as const;
const ORIGIN: Readonly<Record<string, string>> = { M: 'Metric', S: 'Status', K: 'Key', C: 'Config', P: 'Product' };
const NATURE: Readonly<Record<string, string>> = {
  G: 'Gauge', L: 'Limit', m: 'Min', M: 'Max', R: 'Rate', C: 'Counter', D: 'Duration', A: 'Age', T: 'Time', N: 'Name', O: 'Output', a: 'Avg',
};
const SCOPE: Readonly<Record<string, string>> = { P: 'Process', S: 'Service', s: 'System', C: 'Cluster' };

/** The column's tag for this row kind; a cell HAProxy's table has no tag for takes a metric gauge's (numbers) or an output's (text). */
function tagOf(name: StatField, type: StatRowType, value: number | string): string {
  const tags = STAT_TAGS[name];
  const own = tags?.[type === StatRowType.frontend ? 0 : type === StatRowType.backend ? 1 : 2];
  if (own !== undefined) return own;
  const other = tags?.find((t) => t !== undefined);
  if (other !== undefined) return other;
  return typeof value === 'number' ? 'MGP:u32' : 'SOP:str';
}

const SEPARATOR = STAT_FIELDS.indexOf('-');

/** Calls `each` for every filled cell; the "-" separator column is no field (the modules' positions follow the last field's). */
function forEachField(row: StatRow, each: (pos: number, name: StatField, tag: string, value: number | string) => void): void {
  for (let i = 0; i < row.cells.length; i++) {
    const value = row.cells[i];
    const name = STAT_FIELDS[i] as StatField;
    if (value === undefined || i === SEPARATOR) continue;
    each(i > SEPARATOR ? i - 1 : i, name, tagOf(name, row.type, value), value);
  }
}

/** `F.2.0.0.pxname.1:KNS:str:fe` lines (HAProxy's typed form). */
export function statTypedLines(rows: readonly StatRow[]): string {
  let out = '';
  for (const row of rows) {
    const prefix = `${OBJ_LETTER[row.type]}.${row.proxyId}.${row.serverId}.`;
    forEachField(row, (pos, name, tag, value) => {
      out += `${prefix}${pos}.${name}.1:${tag}:${value}\n`;
    });
  }
  return out;
}

/** HAProxy's JSON form: an array of rows, each an array of field objects, on one line. */
export function statJson(rows: readonly StatRow[]): string {
  const parts: string[] = [];
  for (const row of rows) {
    const fields: string[] = [];
    const head = `{"objType":"${OBJ_NAME[row.type]}","proxyId":${row.proxyId},"id":${row.serverId},`;
    forEachField(row, (pos, name, tag, value) => {
      const type = tag.slice(4);
      // HAProxy writes strings between quotes as they are (no escaping).
      const v = type === 'str' ? `"${value}"` : String(value);
      fields.push(
        `${head}"field":{"pos":${pos},"name":"${name}"},"processNum":1,` +
          `"tags":{"origin":"${ORIGIN[tag[0] as string]}","nature":"${NATURE[tag[1] as string]}","scope":"${SCOPE[tag[2] as string]}"},` +
          `"value":{"type":"${type}","value":${v}}}`,
      );
    });
    parts.push(`[${fields.join(',')}]`);
  }
  return `[${parts.join(',')}]\n`;
}
