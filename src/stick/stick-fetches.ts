/**
 * Stick counter fetches (HAProxy's stick_table.c smp_fetch_sc_*): `sc_X(N[,TABLE])`,
 * `scN_X([TABLE])` read what slot N tracks (the stream's, else the session's); `src_X([TABLE])`
 * the entry of the client's address in TABLE (default: the current proxy's table); plus
 * `table_cnt([TABLE])` and `table_avl([TABLE])`.
 *
 * As HAProxy: a slot tracking nothing gives no sample (`sc_http_req_rate(0) gt 5` is false); an
 * entry that does not exist reads 0; a counter the table does not store gives no sample. With a
 * TABLE argument an `sc` fetch looks the tracked key up in that table instead.
 * `sc_inc_gpc0`/`src_inc_gpc0` count and return the new value (the `src_` form creates the
 * entry), `*_clr_gpc0` returns the old value and clears it.
 *
 * The array forms take the element first: `sc_get_gpc(I,N[,TABLE])`, `src_get_gpc(I[,TABLE])`
 * (and `gpc_rate`, `inc_gpc`, `clr_gpc`, `get_gpt`); an element past the table's array gives
 * no sample, like a type it does not store. They have no `scN_` form (HAProxy has none).
 */
import type { Args, ArgSpec } from '../rules/sample-args.ts';
import type { Sample } from '../rules/sample.ts';
import type { SampleContext } from '../rules/sample-context.ts';
import type { FetchBody } from '../rules/sample-fetch.ts';
import type { MiscFetch } from '../rules/fetches-misc.ts';
import type { StickCountType, StickRateType } from './stick-data.ts';
import type { StickEntry, StickTable } from './stick-table.ts';
import { defaultStickTable } from './table-scope.ts';
import type { StickTracking } from './tracking.ts';
import { STICK_COUNTERS } from './tracking.ts';

/** What a counter fetch does with the entry it found. */
type Reader = (table: StickTable, entry: StickEntry | undefined, tracking: StickTracking, out: Sample, alternate: boolean) => boolean;

function readCount(type: StickCountType, shift = 0): Reader {
  return (table, entry, _tracking, out) => {
    if (entry === undefined) return out.setInt(0);
    const value = table.counter(entry, type);
    return value === undefined ? false : out.setInt(shift === 0 ? value : Math.floor(value / 2 ** shift));
  };
}

function readRate(type: StickRateType): Reader {
  return (table, entry, tracking, out) => {
    if (entry === undefined) return out.setInt(0);
    const value = table.rate(entry, type, tracking.now());
    return value === undefined ? false : out.setInt(value);
  };
}

/** sc_inc_gpc0/1: the rate and the counter go up together; the new counter value (0 with only the rate). */
function incGpc(which: 'gpc0' | 'gpc1'): Reader {
  return (table, entry, tracking, out) => {
    if (entry === undefined) return out.setInt(0);
    const now = tracking.now();
    if (!table.count(entry, which, 1, now)) return false;
    table.touch(entry, now);
    return out.setInt(table.counter(entry, which) ?? 0);
  };
}

/** sc_clr_gpc0/1: the previous value; the counter is 0 after. */
function clrGpc(which: 'gpc0' | 'gpc1'): Reader {
  return (table, entry, tracking, out) => {
    if (entry === undefined) return out.setInt(0);
    const value = table.counter(entry, which);
    if (value === undefined) return false;
    table.setCounter(entry, which, 0);
    table.touch(entry, tracking.now());
    return out.setInt(value);
  };
}

/**
 * src_updt_conn_cnt: conn_cnt goes up by one (not conn_rate: HAProxy's smp_fetch_src_updt_conn_cnt
 * counts nothing else) and the entry is touched; the new count.
 */
const updtConnCnt: Reader = (table, entry, tracking, out) => {
  if (entry === undefined) return false;
  const value = table.counter(entry, 'conn_cnt');
  if (value === undefined) return false;
  table.setCounter(entry, 'conn_cnt', value + 1);
  table.touch(entry, tracking.now());
  return out.setInt(value + 1);
};

/** `get_gpc(I)` / `get_gpt(I)`: the element's value. */
function readElement(type: 'gpc' | 'gpt', index: number): Reader {
  return (table, entry, _tracking, out) => {
    if (entry === undefined) return out.setInt(0);
    const value = table.element(entry, type, index);
    return value === undefined ? false : out.setInt(value);
  };
}

function readElementRate(index: number): Reader {
  return (table, entry, tracking, out) => {
    if (entry === undefined) return out.setInt(0);
    const value = table.elementRate(entry, index, tracking.now());
    return value === undefined ? false : out.setInt(value);
  };
}

/** `inc_gpc(I)`: gpc_rate[I] and gpc[I] go up together; the new gpc[I] (0 with only the rate). */
function incElement(index: number): Reader {
  return (table, entry, tracking, out) => {
    if (entry === undefined) return out.setInt(0);
    const now = tracking.now();
    if (!table.countGpc(entry, index, 1, now)) return false;
    table.touch(entry, now);
    return out.setInt(table.element(entry, 'gpc', index) ?? 0);
  };
}

/** `clr_gpc(I)`: the previous gpc[I]; 0 after. */
function clrElement(index: number): Reader {
  return (table, entry, tracking, out) => {
    if (entry === undefined) return out.setInt(0);
    const value = table.element(entry, 'gpc', index);
    if (value === undefined) return false;
    table.setElement(entry, 'gpc', index, 0);
    table.touch(entry, tracking.now());
    return out.setInt(value);
  };
}

/** The array fetches by suffix: the reader of element I. */
const ELEMENT_READERS: ReadonlyMap<string, { readonly read: (index: number) => Reader; readonly create?: boolean }> = new Map([
  ['clr_gpc', { read: clrElement, create: true }],
  ['get_gpc', { read: (i: number) => readElement('gpc', i) }],
  ['get_gpt', { read: (i: number) => readElement('gpt', i) }],
  ['gpc_rate', { read: readElementRate }],
  ['inc_gpc', { read: incElement, create: true }],
]);

/** HAProxy's counter fetches by suffix; `create`: the src_ form creates the entry (inc/clr). */
const READERS: ReadonlyMap<string, { readonly read: Reader; readonly create?: boolean }> = new Map([
  ['bytes_in_rate', { read: readRate('bytes_in_rate') }],
  ['bytes_out_rate', { read: readRate('bytes_out_rate') }],
  ['clr_gpc0', { read: clrGpc('gpc0'), create: true }],
  ['clr_gpc1', { read: clrGpc('gpc1'), create: true }],
  ['conn_cnt', { read: readCount('conn_cnt') }],
  ['conn_cur', { read: readCount('conn_cur') }],
  ['conn_rate', { read: readRate('conn_rate') }],
  ['get_gpt0', { read: readCount('gpt0') }],
  ['get_gpc0', { read: readCount('gpc0') }],
  ['get_gpc1', { read: readCount('gpc1') }],
  ['gpc0_rate', { read: readRate('gpc0_rate') }],
  ['gpc1_rate', { read: readRate('gpc1_rate') }],
  ['http_err_cnt', { read: readCount('http_err_cnt') }],
  ['http_err_rate', { read: readRate('http_err_rate') }],
  ['http_fail_cnt', { read: readCount('http_fail_cnt') }],
  ['http_fail_rate', { read: readRate('http_fail_rate') }],
  ['http_req_cnt', { read: readCount('http_req_cnt') }],
  ['http_req_rate', { read: readRate('http_req_rate') }],
  ['inc_gpc0', { read: incGpc('gpc0'), create: true }],
  ['inc_gpc1', { read: incGpc('gpc1'), create: true }],
  ['kbytes_in', { read: readCount('bytes_in_cnt', 10) }],
  ['kbytes_out', { read: readCount('bytes_out_cnt', 10) }],
  ['sess_cnt', { read: readCount('sess_cnt') }],
  ['sess_rate', { read: readRate('sess_rate') }],
]);

/** Fetches of the stream's internal state; `src_*` read the client address (HAProxy's L4CLI). */
function body(source: 'internal state' | 'client address', type: 'int' | 'bool', sample: (ctx: SampleContext, out: Sample) => boolean): FetchBody {
  return { scope: 'connection', type, source, sample };
}

function tableArg(args: Args, i: number): string | undefined {
  const a = args[i];
  return a?.type === 'str' && a.value !== '' ? a.value : undefined;
}

/** The slot number argument of `sc_*`: HAProxy refuses one beyond its counters at run time (no sample). */
function slotArg(args: Args): number {
  const a = args[0];
  return a?.type === 'sint' ? a.value : -1;
}

/** An element index argument (`sc_get_gpc(I,...)`); HAProxy reads it unsigned, so a negative one is past any array. */
function indexArg(args: Args): number {
  const a = args[0];
  return a?.type === 'sint' && a.value >= 0 ? a.value : Number.MAX_SAFE_INTEGER;
}

/** `sc_get_gpc(I,N[,T])`...: the array fetches over a tracked slot. */
function scElementFetch(read: (index: number) => Reader): MiscFetch {
  return {
    args: { min: 2, types: ['sint', 'sint', 'tab'] },
    compile(values) {
      const reader = read(indexArg(values));
      const slot = slotArg(values.slice(1));
      const alternate = tableArg(values, 2);
      return body('internal state', 'int', (ctx, out) => {
        const stick = ctx.stick;
        const found = tracked(stick, slot, alternate);
        if (found === undefined) return false;
        return reader(found.table, found.entry, stick as StickTracking, out, alternate !== undefined);
      });
    },
  };
}

/** `sc_X(N[,T])` / `scN_X([T])`: the tracked slot's table and entry, or undefined when nothing is tracked. */
function scFetch(fixedSlot: number | undefined, name: string, read: Reader): MiscFetch {
  const args: ArgSpec = fixedSlot === undefined ? { min: 1, types: ['sint', 'tab'] } : { min: 0, types: ['tab'] };
  return {
    args,
    compile(values) {
      const slot = fixedSlot ?? slotArg(values);
      const alternate = tableArg(values, fixedSlot === undefined ? 1 : 0);
      if (name === 'tracked') {
        return body('internal state', 'bool', (ctx, out) => out.setBool(tracked(ctx.stick, slot, alternate) !== undefined));
      }
      if (name === 'trackers') {
        return body('internal state', 'int', (ctx, out) => {
          const found = tracked(ctx.stick, slot, alternate);
          if (found === undefined) return false;
          return out.setInt(found.entry === undefined ? 0 : found.entry.refs);
        });
      }
      return body('internal state', 'int', (ctx, out) => {
        const stick = ctx.stick;
        const found = tracked(stick, slot, alternate);
        if (found === undefined) return false;
        return read(found.table, found.entry, stick as StickTracking, out, alternate !== undefined);
      });
    },
  };
}

/** Scratch result of tracked(): fetches run one at a time. */
const FOUND: { table: StickTable; entry: StickEntry | undefined } = { table: undefined as unknown as StickTable, entry: undefined };

function tracked(stick: StickTracking | undefined, slot: number, alternate: string | undefined): typeof FOUND | undefined {
  if (stick === undefined || slot < 0 || slot >= STICK_COUNTERS) return undefined;
  const entry = stick.trackedEntry(slot);
  if (entry === undefined) return undefined;
  if (alternate === undefined) {
    FOUND.table = stick.trackedTable(slot) as StickTable;
    FOUND.entry = entry;
    return FOUND;
  }
  const table = stick.table(alternate);
  if (table === undefined) return undefined;
  FOUND.table = table;
  FOUND.entry = table.find(entry.key, stick.now());
  return FOUND;
}

/** `src_X([T])`, `src_X(I[,T])` (`element`: an array fetch): the client address's entry in T (the current proxy's table by default). */
function srcFetch(read: Reader | ((index: number) => Reader), create: boolean, element = false): MiscFetch {
  return {
    args: element ? { min: 2, types: ['sint', 'tab'] } : { min: 1, types: ['tab'] },
    compile(values) {
      const name = defaultStickTable(tableArg(values, element ? 1 : 0));
      const reader: Reader = element ? (read as (index: number) => Reader)(indexArg(values)) : (read as Reader);
      return body('client address', 'int', (ctx, out) => {
        const stick = ctx.stick;
        if (stick === undefined || name === undefined) return false;
        const table = stick.table(name);
        if (table === undefined) return false;
        const key = table.keyOf(ctx.clientAddress);
        if (key === undefined) return false;
        const now = stick.now();
        const entry = create ? table.getEntry(key, now) : table.find(key, now);
        return reader(table, entry, stick, out, false);
      });
    },
  };
}

/** `table_cnt([T])`, `table_avl([T])`. */
function tableFetch(avl: boolean): MiscFetch {
  return {
    args: { min: 1, types: ['tab'] },
    compile(values) {
      const name = defaultStickTable(tableArg(values, 0));
      return body('internal state', 'int', (ctx, out) => {
        const table = name === undefined ? undefined : ctx.stick?.table(name);
        if (table === undefined) return false;
        return out.setInt(avl ? table.size - table.entries : table.entries);
      });
    },
  };
}

function buildFetches(): Map<string, MiscFetch> {
  const fetches = new Map<string, MiscFetch>();
  for (const [suffix, { read, create }] of READERS) {
    fetches.set(`sc_${suffix}`, scFetch(undefined, suffix, read));
    for (let n = 0; n < STICK_COUNTERS; n++) fetches.set(`sc${n}_${suffix}`, scFetch(n, suffix, read));
    fetches.set(`src_${suffix}`, srcFetch(read, create === true));
  }
  for (const suffix of ['tracked', 'trackers']) {
    const none: Reader = () => false;
    fetches.set(`sc_${suffix}`, scFetch(undefined, suffix, none));
    for (let n = 0; n < STICK_COUNTERS; n++) fetches.set(`sc${n}_${suffix}`, scFetch(n, suffix, none));
  }
  for (const [suffix, { read, create }] of ELEMENT_READERS) {
    fetches.set(`sc_${suffix}`, scElementFetch(read));
    fetches.set(`src_${suffix}`, srcFetch(read, create === true, true));
  }
  // No sc_ form: HAProxy has only the src_ one.
  fetches.set('src_updt_conn_cnt', srcFetch(updtConnCnt, true));
  fetches.set('table_cnt', tableFetch(false));
  fetches.set('table_avl', tableFetch(true));
  return fetches;
}

/** Every stick counter fetch by name, registered into the fetch table by sample-fetch.ts. */
export const STICK_FETCHES: ReadonlyMap<string, MiscFetch> = buildFetches();
