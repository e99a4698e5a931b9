/// <reference lib="deno.ns" />
/**
 * `cpu-map` on Deno: sched_setaffinity from libc through Deno.dlopen (needs --allow-ffi, which
 * `-A` gives), opened at the first use (a configuration without cpu-map never loads it).
 */
import { cpuMask, CPU_SET_BYTES } from '../shared/cpu-mask.ts';

type SetAffinity = (tid: number, mask: Uint8Array) => number;
let setAffinity: SetAffinity | undefined;

function libc(): SetAffinity {
  if (setAffinity === undefined) {
    const lib = Deno.dlopen('libc.so.6', { sched_setaffinity: { parameters: ['i32', 'usize', 'buffer'], result: 'i32' } } as const);
    setAffinity = (tid, mask) => lib.symbols.sched_setaffinity(tid, BigInt(CPU_SET_BYTES), mask as Uint8Array<ArrayBuffer>);
  }
  return setAffinity;
}

export function bindThreadToCpus(cpus: readonly number[]): boolean {
  return libc()(0, cpuMask(cpus)) === 0;
}

/** Every task of the process: a thread that ended meanwhile is not a failure. */
export function bindProcessToCpus(cpus: readonly number[]): boolean {
  const mask = cpuMask(cpus);
  const set = libc();
  let ok = true;
  for (const task of Deno.readDirSync('/proc/self/task')) {
    if (set(Number(task.name), mask) === 0) continue;
    try {
      Deno.statSync(`/proc/self/task/${task.name}`);
      ok = false;
    } catch {
      // the thread ended
    }
  }
  return ok;
}
