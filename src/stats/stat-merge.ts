/**
 * The stats of a process with several threads (`nbthread`): each thread counts its own traffic
 * (plain objects on the hot path, no atomics), and a reader adds the threads' rows up when it
 * renders them (`show stat`, a stats page, the Prometheus exporter), as HAProxy shows one
 * process. Per column: counters, current figures and rates add up; maxima take the highest of
 * the threads' (a lower bound of the process's maximum, which no thread saw whole); the rest
 * (names, states, weights, checks, limits, averages) is the main thread's, which decides the
 * servers' states.
 */
import { STAT_FIELDS, statIndex, type StatField } from './stat-fields.ts';
import type { StatRow } from './stat-rows.ts';

const MAXIMA: readonly StatField[] = ['qmax', 'smax', 'rate_max', 'req_rate_max', 'conn_rate_max', 'qtime_max', 'ctime_max', 'rtime_max', 'ttime_max'];

/** Columns that are the main thread's alone (identity, configuration, states, checks, averages, times). */
const KEPT: readonly StatField[] = [
  'pxname', 'svname', 'slim', 'status', 'weight', 'act', 'bck', 'chkfail', 'chkdown', 'lastchg', 'downtime', 'qlimit',
  'pid', 'iid', 'sid', 'throttle', 'tracked', 'type', 'rate_lim', 'check_status', 'check_code', 'check_duration',
  'hanafail', 'last_chk', 'last_agt', 'qtime', 'ctime', 'rtime', 'ttime', 'agent_status', 'agent_code',
  'agent_duration', 'check_desc', 'agent_desc', 'check_rise', 'check_fall', 'check_health', 'agent_rise', 'agent_fall',
  'agent_health', 'addr', 'cookie', 'mode', 'algo', 'src_ilim', 'uweight', 'agg_server_status',
  'agg_server_check_status', 'agg_check_status', '-',
];

const Merge = { Sum: 0, Max: 1, Keep: 2, Latest: 3 } as const;
type Merge = (typeof Merge)[keyof typeof Merge];

const HOW: readonly Merge[] = ((): Merge[] => {
  const how = STAT_FIELDS.map((): Merge => Merge.Sum);
  for (const f of MAXIMA) how[statIndex(f)] = Merge.Max;
  for (const f of KEPT) how[statIndex(f)] = Merge.Keep;
  // Seconds since the last session: the most recent of the threads' (-1: none yet).
  how[statIndex('lastsess')] = Merge.Latest;
  return how;
})();

function key(row: StatRow): string {
  return `${row.type}/${row.proxyId}/${row.serverId}`;
}

/**
 * Adds the other threads' rows into `own` (the rows of the thread rendering them), in place;
 * a row no other thread has (a server added since) stays as it is.
 */
export function mergeThreadRows(own: readonly StatRow[], others: readonly (readonly StatRow[])[]): void {
  if (others.length === 0) return;
  const byKey = new Map<string, StatRow>();
  for (const row of own) byKey.set(key(row), row);
  for (const rows of others) {
    for (const other of rows) {
      const mine = byKey.get(key(other));
      if (mine === undefined) continue;
      for (let i = 0; i < HOW.length; i++) {
        const how = HOW[i];
        if (how === Merge.Keep) continue;
        const a = mine.cells[i];
        const b = other.cells[i];
        if (typeof b !== 'number') continue;
        if (typeof a !== 'number') {
          if (a === undefined) mine.cells[i] = b;
          continue;
        }
        if (how === Merge.Latest) mine.cells[i] = a < 0 ? b : b < 0 ? a : Math.min(a, b);
        else mine.cells[i] = how === Merge.Sum ? a + b : Math.max(a, b);
      }
    }
  }
}
