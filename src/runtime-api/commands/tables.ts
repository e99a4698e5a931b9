/**
 * Stick tables (stick_table.c's CLI): `show table [NAME [data.X OP V]... | key K]`,
 * `clear table NAME [data.X OP V... | key K]`, `set table NAME key K [data.X V]...`, with
 * HAProxy's dump format (entries in key order, `use=`, `exp=`, the stored data in HAProxy's
 * data type order).
 */
import { STICK_DATA_TYPES, isArrayType, isRateType, isStickDataType, type StickArrayType, type StickDataType } from '../../stick/stick-data.ts';
import type { StickEntry, StickTable } from '../../stick/stick-table.ts';
import { updateFreqCtr, initFreqCtr } from '../../stick/freq-counter.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { levelAllows } from '../levels.ts';
import { dump, error, NO_ANSWER, PERMISSION_DENIED, type CliAnswer } from '../output.ts';
import { formatIpv6, inetPton6 } from '../../util/ip-address.ts';

function ipv6TableKeyText(key: string): string {
  const words = inetPton6(key);
  return words === undefined ? key : formatIpv6(words);
}

type Op = 'eq' | 'ne' | 'le' | 'ge' | 'lt' | 'gt';
interface Filter {
  readonly type: StickDataType;
  readonly op: Op;
  readonly value: number;
}

function header(table: StickTable, now: number): string {
  // HAProxy's expiry task has purged what expired: `used` counts live entries only.
  table.purgeExpired(now);
  return `# table: ${table.name}, type: ${table.type}, size:${table.size}, used:${table.entries}\n`;
}

/** dump_text: printable bytes as is, others escaped as HAProxy's dump_text does. */
function keyText(table: StickTable, key: string): string {
  switch (table.type) {
    case 'ipv6':
      // inet_ntop's text, as HAProxy prints the key (the table keeps a full-form address).
      return ipv6TableKeyText(key);
    case 'ip':
    case 'integer':
      return key;
    case 'string': {
      let out = '';
      for (const c of key) {
        const code = c.charCodeAt(0);
        if (code === 0) break;
        if (code >= 0x20 && code < 0x7f && c !== '\\' && c !== ' ' && c !== '=') out += c;
        else if (c === ' ' || c === '=' || c === '\\') out += `\\${c}`;
        else out += `\\x${code.toString(16).padStart(2, '0')}`;
      }
      return out;
    }
    case 'binary': {
      let out = '';
      for (const c of key) out += c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase();
      return out;
    }
  }
}

/** The tree order HAProxy dumps in: by the key's bytes (numeric for addresses and integers). */
function keyOrder(table: StickTable): (a: StickEntry, b: StickEntry) => number {
  switch (table.type) {
    case 'ip':
      return (a, b) => ipv4Value(a.key) - ipv4Value(b.key);
    case 'integer':
      return (a, b) => Number(a.key) - Number(b.key);
    case 'ipv6':
      return (a, b) => compareGroups(a.key, b.key);
    default:
      return (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  }
}

function ipv4Value(key: string): number {
  const p = key.split('.').map(Number);
  return (((p[0] as number) << 24) >>> 0) + ((p[1] as number) << 16) + ((p[2] as number) << 8) + (p[3] as number);
}

function compareGroups(a: string, b: string): number {
  const x = a.split(':');
  const y = b.split(':');
  for (let i = 0; i < 8; i++) {
    const d = Number.parseInt(x[i] as string, 16) - Number.parseInt(y[i] as string, 16);
    if (d !== 0) return d;
  }
  return 0;
}

/** HAProxy prints `%p`; a stable fake address per entry keeps the format. */
const addresses = new WeakMap<StickEntry, string>();
let nextAddress = 0x5610_0000_0000;
function addressOf(entry: StickEntry): string {
  let a = addresses.get(entry);
  if (a === undefined) {
    nextAddress += 0x80;
    a = `0x${nextAddress.toString(16)}`;
    addresses.set(entry, a);
  }
  return a;
}

function dataValue(ctx: CommandContext, table: StickTable, entry: StickEntry, type: StickDataType, now: number): number {
  if (type === 'server_id') {
    if (entry.server === undefined) return 0;
    // A table of a peers section has no backend of its name: the id stored with the server.
    return ctx.target.backend(table.name)?.server(entry.server)?.id ?? entry.serverId;
  }
  if (isRateType(type)) return table.rate(entry, type, now) ?? 0;
  return table.counter(entry, type) ?? 0;
}

function entryLine(ctx: CommandContext, table: StickTable, entry: StickEntry, now: number): string {
  const exp = entry.expire === Number.POSITIVE_INFINITY ? 0 : Math.max(0, Math.round(entry.expire - now));
  let line = `${addressOf(entry)}: key=${keyText(table, entry.key)} use=${entry.refs} exp=${exp}`;
  for (const type of STICK_DATA_TYPES) {
    // Stick rules add server_id and server_key to their table (HAProxy's check_config_validity);
    // server_key comes after gpc1_rate in HAProxy's order, and shows `-` until a server is stored.
    if (type === 'http_fail_cnt' && table.persistence) line += ` server_key=${entry.server ?? '-'}`;
    if (!table.layout.stores(type) && !(type === 'server_id' && table.persistence)) continue;
    if (isArrayType(type)) {
      line += arrayData(table, entry, type, now);
      continue;
    }
    const name = isRateType(type) ? `${type}(${table.layout.period(type)})` : type;
    line += ` ${name}=${dataValue(ctx, table, entry, type, now)}`;
  }
  return `${line}\n`;
}

/** An array's elements as HAProxy 2.6 shows them: ` gpc0=1 gpc1=0`, ` gpc0_rate(10000)=1` (the index before the first `_`). */
function arrayData(table: StickTable, entry: StickEntry, type: StickArrayType, now: number): string {
  const cut = type.indexOf('_');
  const prefix = cut < 0 ? type : type.slice(0, cut);
  const suffix = cut < 0 ? '' : `${type.slice(cut)}(${table.layout.period('gpc_rate')})`;
  let text = '';
  for (let i = 0, n = table.layout.elements(type); i < n; i++) {
    const value = type === 'gpc_rate' ? table.elementRate(entry, i, now) : table.element(entry, type, i);
    text += ` ${prefix}${i}${suffix}=${value ?? 0}`;
  }
  return text;
}

function matches(ctx: CommandContext, table: StickTable, entry: StickEntry, filters: readonly Filter[], now: number): boolean {
  for (const f of filters) {
    const data = dataValue(ctx, table, entry, f.type, now);
    const ok =
      f.op === 'eq' ? data === f.value : f.op === 'ne' ? data !== f.value : f.op === 'le' ? data <= f.value : f.op === 'ge' ? data >= f.value : f.op === 'lt' ? data < f.value : data > f.value;
    if (!ok) return false;
  }
  return true;
}

/** table_prepare_data_request: up to 4 `data.X OP V` filters. */
function parseFilters(table: StickTable, args: readonly string[]): Filter[] | CliAnswer {
  const filters: Filter[] = [];
  let i = 0;
  for (; i < 4; i++) {
    const word = args[3 + 3 * i];
    if (i > 0 && (word === undefined || word === '')) break;
    const name = (word ?? '').slice(5);
    if (!isStickDataType(name)) return error(`Filter entry #${i + 1}: Unknown data type\n`);
    if (!table.layout.stores(name)) return error(`Filter entry #${i + 1}: Data type not stored in this table\n`);
    const op = args[4 + 3 * i];
    if (op !== 'eq' && op !== 'ne' && op !== 'le' && op !== 'ge' && op !== 'lt' && op !== 'gt') {
      return error(`Filter entry #${i + 1}: Require and operator among "eq", "ne", "le", "ge", "lt", "gt"\n`);
    }
    const value = args[5 + 3 * i] ?? '';
    if (!/^[+-]?\d+$/.test(value)) return error(`Filter entry #${i + 1}: Require a valid integer value to compare against\n`);
    filters.push({ type: name, op, value: Number(value) });
  }
  const extra = args[3 + 3 * i];
  if (extra !== undefined && extra !== '') {
    return error(`Detected extra data in filter, ${3 + 3 * i + 1}th word of input, after '${args[2 + 3 * i]}'\n`);
  }
  return filters;
}

/** The table's canonical key for a key typed on the command line (HAProxy's parsing per type). */
function cliKey(table: StickTable, text: string): string | undefined {
  if (table.type === 'ip') {
    // inetaddr_host: anything not an address reads as 0.0.0.0.
    return table.keyOf(text) ?? '0.0.0.0';
  }
  return table.keyOf(text);
}

type Action = 'show' | 'clear' | 'set';

const USAGE_ERRORS: Readonly<Record<Action, string>> = {
  show: 'Optional argument only supports "data.<store_data_type>" <operator> <value> and key <key>\n',
  clear: 'Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>\n',
  set: 'Required arguments: <table> key <key> [data.<store_data_type> <value>]*\n',
};

function byKey(ctx: CommandContext, table: StickTable, args: readonly string[], action: Action): CliAnswer {
  const text = args[4] ?? '';
  if (text === '') return error('Key value expected\n');
  if (table.type === 'binary') {
    const verb = action === 'show' ? 'Showing keys from' : action === 'clear' ? 'Removing keys from' : 'Inserting keys into';
    return error(`${verb} tables of type other than ip, ipv6, string and integer is not supported\n`);
  }
  const key = cliKey(table, text);
  if (key === undefined) return error('Invalid key\n');
  if (!levelAllows(ctx.session.level, 'operator')) return PERMISSION_DENIED;
  const now = ctx.target.runtime.now();
  if (action === 'show') {
    const entry = table.find(key, now);
    return entry === undefined ? NO_ANSWER : dump(header(table, now) + entryLine(ctx, table, entry, now));
  }
  if (action === 'clear') {
    const entry = table.find(key, now);
    if (entry === undefined) return NO_ANSWER;
    if (entry.refs > 0) return error('Entry currently in use, cannot remove\n');
    table.delete(key);
    return NO_ANSWER;
  }
  const entry = table.getEntry(key, now);
  if (entry === undefined) return error('Unable to allocate a new entry\n');
  let answer: CliAnswer = NO_ANSWER;
  for (let i = 5; i < args.length && args[i] !== ''; i += 2) {
    const word = args[i] as string;
    if (!word.startsWith('data.')) {
      answer = error('"data.<type>" followed by a value expected\n');
      break;
    }
    const type = word.slice(5);
    if (!isStickDataType(type)) {
      answer = error('Unknown data type\n');
      break;
    }
    if (!table.layout.stores(type)) {
      answer = error('Data type not stored in this table\n');
      break;
    }
    const value = args[i + 1] ?? '';
    if (!/^[+-]?\d+$/.test(value)) {
      answer = error('Require a valid integer value to store\n');
      break;
    }
    setData(ctx, table, entry, type, Number(value), now);
  }
  table.touch(entry, now);
  return answer;
}

function setData(ctx: CommandContext, table: StickTable, entry: StickEntry, type: StickDataType, value: number, now: number): void {
  if (type === 'server_id') {
    // The table names servers; an id names the server of the table's backend with that id.
    const server = ctx.target.backend(table.name)?.servers.find((s) => s.id === value);
    entry.server = server?.name;
    return;
  }
  if (isRateType(type)) {
    // HAProxy sets the current period's count and clears the previous one.
    const at = table.layout.offset(type);
    initFreqCtr(entry.data, at);
    updateFreqCtr(entry.data, at, table.layout.period(type), now, value);
    return;
  }
  table.setCounter(entry, type, value);
}

function tableCommand(action: Action, args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[2] ?? '';
  const now = ctx.target.runtime.now();
  if (name === '') {
    if (action !== 'show') return error(USAGE_ERRORS[action]);
    // HAProxy's table list is built by prepending: the last declared comes first.
    let text = '';
    for (const t of [...ctx.target.stickTables.values()].reverse()) if (t.size > 0) text += header(t, now);
    return dump(text);
  }
  const table = ctx.target.stickTables.get(name);
  if (table === undefined) return error('No such table\n');
  let filters: Filter[] = [];
  const sub = args[3] ?? '';
  if (sub === 'key') return byKey(ctx, table, args, action);
  if (sub.startsWith('data.')) {
    if (action === 'set') return error('content-based lookup is only supported with the "show" and "clear" actions\n');
    const parsed = parseFilters(table, args);
    if (!Array.isArray(parsed)) return parsed;
    filters = parsed;
  } else if (sub !== '') {
    return error(USAGE_ERRORS[action]);
  }
  if (action === 'set') return error(USAGE_ERRORS.set);
  const operator = levelAllows(ctx.session.level, 'operator');
  if (action === 'clear') {
    // HAProxy walks the entries only at operator level: below, nothing is cleared, silently.
    if (!operator) return NO_ANSWER;
    for (const entry of [...table.list(now)]) {
      if (entry.refs === 0 && matches(ctx, table, entry, filters, now)) table.delete(entry.key);
    }
    return NO_ANSWER;
  }
  let text = header(table, now);
  if (!operator) return dump(`${text}# contents not dumped due to insufficient privileges\n`);
  const entries = [...table.list(now)].sort(keyOrder(table));
  for (const entry of entries) if (matches(ctx, table, entry, filters, now)) text += entryLine(ctx, table, entry, now);
  return dump(text);
}

export const tableCommands: readonly CliCommand[] = [
  {
    words: ['show', 'table'],
    usage: usage('show table <table> [<filter>]*', "report table usage stats or dump this table's contents (filter: data/key)"),
    level: 'user',
    run: (args, ctx) => tableCommand('show', args, ctx),
  },
  {
    words: ['clear', 'table'],
    usage: usage('clear table <table> [<filter>]*', 'remove an entry from a table (filter: data/key)'),
    level: 'user',
    run: (args, ctx) => tableCommand('clear', args, ctx),
  },
  {
    words: ['set', 'table'],
    usage: usage('set table <table> key <k> [data.* <v>]*', "update or create a table entry's data"),
    level: 'user',
    run: (args, ctx) => tableCommand('set', args, ctx),
  },
];
