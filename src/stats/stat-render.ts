/**
 * The typed and JSON forms of stats rows and process information (HAProxy's
 * stats_dump_fields_typed / stats_dump_fields_json / stats_dump_json_info_fields): one field per
 * line or object, empty fields left out, the ssl/h2/h1 module fields numbered right after the
 * 103 general ones (the CSV's "-" column is not a field).
 */
import { STAT_FIELDS } from './stat-fields.ts';
import type { StatCell, StatRow } from './stat-rows.ts';
import { INFO_FIELD_TYPES, statFieldType } from './stat-types.ts';

const SEPARATOR = STAT_FIELDS.indexOf('-');
const OBJ_CHARS = ['F', 'B', 'S', 'L'] as const;
const OBJ_NAMES = ['Frontend', 'Backend', 'Server', 'Listener'] as const;
const ORIGINS: Readonly<Record<string, string>> = { M: 'Metric', S: 'Status', K: 'Key', C: 'Config', P: 'Product' };
const NATURES: Readonly<Record<string, string>> = {
  G: 'Gauge', L: 'Limit', m: 'Min', M: 'Max', R: 'Rate', C: 'Counter', D: 'Duration', A: 'Age', T: 'Time', N: 'Name', O: 'Output', a: 'Avg',
};
const SCOPES: Readonly<Record<string, string>> = { P: 'Process', S: 'Service', s: 'System', C: 'Cluster' };

/** The typed position of CSV column `i`, or -1 for the separator. */
function position(i: number): number {
  return i < SEPARATOR ? i : i === SEPARATOR ? -1 : i - 1;
}

function jsonValue(type: string, value: StatCell): string {
  if (type === 'str') return JSON.stringify(String(value));
  return String(value);
}

function jsonTags(tags: string): string {
  return `{"origin":"${ORIGINS[tags[0] as string] ?? '?'}","nature":"${NATURES[tags[1] as string] ?? '?'}","scope":"${SCOPES[tags[2] as string] ?? '?'}"}`;
}

export function statTyped(rows: readonly StatRow[]): string {
  let out = '';
  for (const row of rows) {
    const prefix = `${OBJ_CHARS[row.type]}.${row.proxyId}.${row.serverId}.`;
    row.cells.forEach((cell, i) => {
      const pos = position(i);
      if (cell === undefined || pos < 0) return;
      const name = STAT_FIELDS[i] as string;
      out += `${prefix}${pos}.${name}.1:${statFieldType(row.type, name)}:${cell}\n`;
    });
  }
  return out;
}

export function statJson(rows: readonly StatRow[]): string {
  const objects = rows.map((row) => {
    const fields: string[] = [];
    row.cells.forEach((cell, i) => {
      const pos = position(i);
      if (cell === undefined || pos < 0) return;
      const name = STAT_FIELDS[i] as string;
      const [tags, type] = statFieldType(row.type, name).split(':') as [string, string];
      fields.push(
        `{"objType":"${OBJ_NAMES[row.type]}","proxyId":${row.proxyId},"id":${row.serverId},"field":{"pos":${pos},"name":"${name}"},"processNum":1,"tags":${jsonTags(tags)},"value":{"type":"${type}","value":${jsonValue(type, cell)}}}`,
      );
    });
    return `[${fields.join(',')}]`;
  });
  return `[${objects.join(',')}]\n`;
}

const INFO_TYPES = new Map(INFO_FIELD_TYPES);

export function infoTyped(fields: readonly (readonly [string, StatCell | null])[]): string {
  let out = '';
  fields.forEach(([name, value], pos) => {
    if (value === undefined || value === null) return;
    out += `${pos}.${name}.1:${INFO_TYPES.get(name) ?? 'MGP:u32'}:${value}\n`;
  });
  return out;
}

export function infoJson(fields: readonly (readonly [string, StatCell | null])[]): string {
  const objects: string[] = [];
  fields.forEach(([name, value], pos) => {
    if (value === undefined || value === null) return;
    const [tags, type] = (INFO_TYPES.get(name) ?? 'MGP:u32').split(':') as [string, string];
    objects.push(`{"field":{"pos":${pos},"name":"${name}"},"processNum":1,"tags":${jsonTags(tags)},"value":{"type":"${type}","value":${jsonValue(type, value)}}}`);
  });
  return `[${objects.join(',')}]\n`;
}
