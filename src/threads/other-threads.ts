/**
 * What a configuration generation can ask of the other threads of its process (`nbthread`),
 * wherever it runs; undefined in a process with one thread.
 */
import type { RuntimeTarget } from '../runtime-api/target.ts';
import { statContextOf, statRows, type StatRow } from '../stats/stat-rows.ts';

export interface OtherThreads {
  /** Every other thread's `show stat` rows (all proxies), for stat-merge.ts. */
  statRows(): Promise<StatRow[][]>;
  /**
   * In the main thread: has every other thread run this runtime API command (replayed-commands.ts);
   * resolves once each did (or did not answer in time), so that the command's answer, written
   * after that, means the change holds in every thread, as in HAProxy's one process.
   */
  readonly replay?: ((args: readonly string[], payload: string | undefined) => Promise<void>) | undefined;
  /** In the main thread: every other thread's `show sess` lines, in thread order. */
  readonly sessionLines?: (() => Promise<string[]>) | undefined;
  /** In the main thread: kills the stream at `address` in the thread that holds it (false: none does). */
  readonly shutdownSession?: ((address: number) => Promise<boolean>) | undefined;
}

/** This thread's rows, as it answers another's 'gather'. */
export function ownStatRows(target: RuntimeTarget): StatRow[] {
  return statRows(target.proxies, statContextOf(target));
}

/** A thread that does not answer (it is stopping) does not hold the stats up for longer. */
export const GATHER_TIMEOUT_MS = 1000;
