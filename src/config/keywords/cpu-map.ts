/**
 * `cpu-map [auto:]<process-set>[/<thread-set>] <cpu-set>...` (global), parsed as HAProxy 2.6's
 * cfgparse-global.c does, quirks included: a lone process set, or the thread set `1`, maps the
 * whole process; any other thread set maps those threads (threads above `nbthread` are left
 * alone); with `auto:`, the threads (or the process) take the set's CPUs one each in increasing
 * order, and the sizes are compared as HAProxy compares them (the process set's size may match
 * instead of the thread set's). Each line replaces what earlier ones said of the same threads.
 * Applied at start through Runtime.setCpuAffinity (src/proxy/cpu-affinity.ts).
 */

import type { KeywordList, SectionKeyword } from '../registry.ts';
import { processNumberError } from './process-numbers.ts';

/** HAProxy's LONGBITS: process and thread numbers go from 1 to 64. */
const MAX_IDS = 64;
/** CPU_SETSIZE on Linux: CPUs 0 to 1023. */
const MAX_CPUS = 1024;

/** str2uic: the leading digits, 0 when there are none. */
function leadingNumber(text: string): number {
  const digits = /^[0-9]*/.exec(text)?.[0] ?? '';
  return digits === '' ? 0 : Number(digits);
}

/** parse_process_number once it passed processNumberError: the ids (0-based) it names. */
function idSet(arg: string): number[] {
  const ids: number[] = [];
  if (arg === 'all' || arg === 'odd' || arg === 'even') {
    for (let i = arg === 'even' ? 1 : 0; i < MAX_IDS; i += arg === 'all' ? 1 : 2) ids.push(i);
    return ids;
  }
  const dash = arg.indexOf('-');
  let low = leadingNumber(arg);
  let high = dash < 0 ? low : dash === arg.length - 1 ? MAX_IDS : leadingNumber(arg.slice(dash + 1));
  if (high < low) [low, high] = [high, low];
  for (let i = low; i <= high; i++) ids.push(i - 1);
  return ids;
}

/** parse_cpu_set without commas: the CPUs, or HAProxy's message. */
function cpuSet(args: readonly string[]): number[] | string {
  const cpus = new Set<number>();
  for (const arg of args) {
    if (!/^[0-9]/.test(arg)) return `'${arg}' is not a CPU range.`;
    let low = leadingNumber(arg);
    const dash = arg.indexOf('-');
    let high = dash < 0 ? low : dash === arg.length - 1 ? MAX_CPUS - 1 : leadingNumber(arg.slice(dash + 1));
    if (high < low) [low, high] = [high, low];
    if (high >= MAX_CPUS) return `supports CPU numbers from 0 to ${MAX_CPUS - 1}.`;
    for (let c = low; c <= high; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

const cpuMap: SectionKeyword = {
  name: 'cpu-map',
  sections: ['global'],
  parse(ctx, args) {
    const first = args[1]?.text ?? '';
    if (first === '' || (args[2]?.text ?? '') === '') {
      ctx.error(
        `cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to ${MAX_IDS} or a range),  followed by a list of CPU ranges with numbers from 0 to ${MAX_IDS - 1}.`,
      );
      return;
    }
    const slash = first.indexOf('/');
    let processArg = slash < 0 ? first : first.slice(0, slash);
    const auto = processArg.startsWith('auto:');
    if (auto) processArg = processArg.slice(5);
    const threadArg = slash < 0 ? undefined : first.slice(slash + 1);
    for (const arg of threadArg === undefined ? [processArg] : [processArg, threadArg]) {
      const error = processNumberError(arg, MAX_IDS);
      if (error !== undefined) {
        ctx.error(`cpu-map : ${error}`, args[1]);
        return;
      }
    }
    const cpus = cpuSet(args.slice(2).map((t) => t.text));
    if (typeof cpus === 'string') {
      ctx.error(`cpu-map : ${cpus}`, args[2]);
      return;
    }
    const processes = idSet(processArg);
    const threads = threadArg === undefined ? [] : idSet(threadArg);
    if (auto && processes.length !== cpus.length && threads.length !== cpus.length) {
      ctx.error('cpu-map : PROC/THREAD range and CPU sets must have the same size to be automatically bound');
      return;
    }
    const map = (ctx.global.cpuMap ??= { process: [], threads: [] });
    if (threads.length === 0 || (threads.length === 1 && threads[0] === 0)) {
      // The whole process ("cpu-map 1 0-3", "cpu-map 1/1 0-3"); with auto:, its first CPU.
      map.process = auto ? cpus.slice(0, 1) : cpus;
      return;
    }
    let next = 0;
    for (const thread of threads) {
      while (map.threads.length <= thread) map.threads.push([]);
      map.threads[thread] = auto ? (next < cpus.length ? [cpus[next++] as number] : []) : cpus;
    }
  },
};

export const cpuMapKeywords: KeywordList = { keywords: [cpuMap] };
