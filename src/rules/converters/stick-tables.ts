/**
 * Stick-table converters (HAProxy's stick_table.c sample_conv_*): the sample is a key looked up
 * in TABLE (default: the current proxy's table) — `in_table(T)` says whether it is there,
 * `table_X(T)` reads data X of its entry: 0 when the key is absent, no sample when the table does
 * not store X or the sample cannot be a key of the table's type. Lookups never create nor
 * refresh an entry. The array forms take the element first: `table_gpc(I,T)`,
 * `table_gpc_rate(I,T)`, `table_gpt(I,T)`.
 *
 * HAProxy 2.7's `table_expire` and `table_idle` are unknown converters here, as in 2.6.
 */
import type { StickCountType, StickRateType } from '../../stick/stick-data.ts';
import type { StickEntry, StickTable } from '../../stick/stick-table.ts';
import { defaultStickTable } from '../../stick/table-scope.ts';
import type { StickTracking } from '../../stick/tracking.ts';
import { formatIpv4 } from '../../util/ip-address.ts';
import { sampleText, type Sample } from '../sample.ts';
import type { SampleContext } from '../sample-context.ts';
import { type ConverterDefinition, intArg, spec, strArg } from './definition.ts';

/** What a converter reads from the entry found (undefined: absent key). */
type Read = (table: StickTable, entry: StickEntry | undefined, stick: StickTracking, s: Sample) => boolean;

function lookup(name: string | undefined, read: Read): (s: Sample, ctx: SampleContext) => boolean {
  return (s, ctx) => {
    const stick = ctx.stick;
    if (stick === undefined || name === undefined) return false;
    const table = stick.table(name);
    if (table === undefined) return false;
    const key = table.keyOf(keyText(s, table));
    if (key === undefined) return false;
    return read(table, table.find(key, stick.now()), stick, s);
  };
}

/** The sample as a key's text: HAProxy casts an integer to an address for an ip table (c_int2ip). */
function keyText(s: Sample, table: StickTable): string {
  if (s.type === 'bin') return s.str;
  if ((s.type === 'int' || s.type === 'bool') && (table.type === 'ip' || table.type === 'ipv6')) return formatIpv4(s.num >>> 0);
  return sampleText(s);
}

function converter(name: string, output: 'bool' | 'sint', read: Read): ConverterDefinition {
  return {
    name,
    args: spec(1, 'tab'),
    input: 'any',
    output,
    compile: (args) => lookup(defaultStickTable(strArg(args, 0)), read),
  };
}

/** `table_gpc(I,T)`...: `read(I)` over element I (a negative I, unsigned in HAProxy, is past any array). */
function elementConverter(name: string, read: (index: number) => Read): ConverterDefinition {
  return {
    name,
    args: spec(2, 'sint', 'tab'),
    input: 'any',
    output: 'sint',
    compile: (args) => {
      const index = intArg(args, 0, 0);
      return lookup(defaultStickTable(strArg(args, 1)), read(index < 0 ? Number.MAX_SAFE_INTEGER : index));
    },
  };
}

function element(type: 'gpc' | 'gpt', index: number): Read {
  return (table, entry, _stick, s) => {
    if (entry === undefined) return s.setInt(0);
    const value = table.element(entry, type, index);
    return value === undefined ? false : s.setInt(value);
  };
}

function elementRate(index: number): Read {
  return (table, entry, stick, s) => {
    if (entry === undefined) return s.setInt(0);
    const value = table.elementRate(entry, index, stick.now());
    return value === undefined ? false : s.setInt(value);
  };
}

function count(type: StickCountType, shift = 0): Read {
  return (table, entry, _stick, s) => {
    if (entry === undefined) return s.setInt(0);
    const value = table.counter(entry, type);
    return value === undefined ? false : s.setInt(shift === 0 ? value : Math.floor(value / 2 ** shift));
  };
}

function rate(type: StickRateType): Read {
  return (table, entry, stick, s) => {
    if (entry === undefined) return s.setInt(0);
    const value = table.rate(entry, type, stick.now());
    return value === undefined ? false : s.setInt(value);
  };
}

export const STICK_TABLE_CONVERTERS: readonly ConverterDefinition[] = [
  converter('in_table', 'bool', (_table, entry, _stick, s) => s.setBool(entry !== undefined)),
  converter('table_bytes_in_rate', 'sint', rate('bytes_in_rate')),
  converter('table_bytes_out_rate', 'sint', rate('bytes_out_rate')),
  converter('table_conn_cnt', 'sint', count('conn_cnt')),
  converter('table_conn_cur', 'sint', count('conn_cur')),
  converter('table_conn_rate', 'sint', rate('conn_rate')),
  elementConverter('table_gpt', (i) => element('gpt', i)),
  converter('table_gpt0', 'sint', count('gpt0')),
  elementConverter('table_gpc', (i) => element('gpc', i)),
  elementConverter('table_gpc_rate', elementRate),
  converter('table_gpc0', 'sint', count('gpc0')),
  converter('table_gpc0_rate', 'sint', rate('gpc0_rate')),
  converter('table_gpc1', 'sint', count('gpc1')),
  converter('table_gpc1_rate', 'sint', rate('gpc1_rate')),
  converter('table_http_err_cnt', 'sint', count('http_err_cnt')),
  converter('table_http_err_rate', 'sint', rate('http_err_rate')),
  converter('table_http_fail_cnt', 'sint', count('http_fail_cnt')),
  converter('table_http_fail_rate', 'sint', rate('http_fail_rate')),
  converter('table_http_req_cnt', 'sint', count('http_req_cnt')),
  converter('table_http_req_rate', 'sint', rate('http_req_rate')),
  converter('table_kbytes_in', 'sint', count('bytes_in_cnt', 10)),
  converter('table_kbytes_out', 'sint', count('bytes_out_cnt', 10)),
  converter('table_sess_cnt', 'sint', count('sess_cnt')),
  converter('table_sess_rate', 'sint', rate('sess_rate')),
  // The stored server's id, 0 for an absent key; no sample when the table keeps no server_id
  // (HAProxy adds it to the tables of stick rules, which store a server here).
  converter('table_server_id', 'sint', (table, entry, _stick, s) => {
    if (entry === undefined) return s.setInt(0);
    return table.layout.stores('server_id') || entry.server !== undefined ? s.setInt(entry.serverId) : false;
  }),
  converter('table_trackers', 'sint', (_table, entry, _stick, s) => s.setInt(entry === undefined ? 0 : entry.refs)),
];
