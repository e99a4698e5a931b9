/**
 * Applying `cpu-map` (src/config/keywords/cpu-map.ts) as HAProxy 2.6 does: the worker (never a
 * master) binds the process to its set before its threads start, so they inherit it, then each
 * thread binds itself to its own set within the process's (set_thread_cpu_affinity); a thread
 * whose set does not meet the process's is not bound further.
 */
import type { CpuMap } from '../config/model.ts';
import type { Runtime } from '../runtime.ts';

/** The CPUs thread `index` binds itself to; empty: none of its own. */
export function threadCpus(map: CpuMap, index: number): readonly number[] {
  const own = map.threads[index] ?? [];
  if (map.process.length === 0) return own;
  return own.filter((cpu) => map.process.includes(cpu));
}

/**
 * Why this runtime cannot apply the map with `threads` threads, or undefined. Where only the
 * process can be bound (Node), a one-thread configuration's thread 1 is bound as the process.
 */
export function cpuMapRefusal(runtime: Runtime, map: CpuMap | undefined, threads: number): string | undefined {
  if (map === undefined) return undefined;
  const perThread = Array.from({ length: threads }, (_, i) => threadCpus(map, i)).some((cpus) => cpus.length > 0);
  if (map.process.length > 0 || (perThread && threads === 1)) {
    if (runtime.bindProcessToCpus === undefined) return `'cpu-map' : ${runtime.name} cannot set a CPU affinity.`;
  }
  if (perThread && threads > 1 && runtime.bindThreadToCpus === undefined) {
    return `'cpu-map' : ${runtime.name} can bind the whole process ('cpu-map 1 <cpus>') but not single threads (no foreign-function interface to call sched_setaffinity); run it on Bun or Deno, or map the process.`;
  }
  return undefined;
}

/** In the serving process, before its threads start: the process's set, then thread 1's. */
export function bindProcess(runtime: Runtime, map: CpuMap, threads: number, warn: (text: string) => void): void {
  if (map.process.length > 0 && runtime.bindProcessToCpus?.(map.process) === false) warn(failed('the process', map.process));
  const first = threadCpus(map, 0);
  if (first.length === 0) return;
  if (runtime.bindThreadToCpus !== undefined) {
    if (!runtime.bindThreadToCpus(first)) warn(failed('thread 1', first));
  } else if (threads === 1 && runtime.bindProcessToCpus?.(first) === false) {
    warn(failed('the process (thread 1)', first));
  }
}

/** In thread `index` (1 and up) of `nbthread`, at its start. */
export function bindThread(runtime: Runtime, map: CpuMap | undefined, index: number, warn: (text: string) => void): void {
  if (map === undefined) return;
  const cpus = threadCpus(map, index);
  if (cpus.length > 0 && runtime.bindThreadToCpus?.(cpus) === false) warn(failed(`thread ${index + 1}`, cpus));
}

/** HAProxy ignores a refused sched_setaffinity; Switchyard says so. */
function failed(what: string, cpus: readonly number[]): string {
  return `cpu-map: could not bind ${what} to CPU ${cpus.join(',')} (no such CPU, or not permitted); it runs unbound.`;
}
