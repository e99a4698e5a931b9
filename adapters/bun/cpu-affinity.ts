/**
 * `cpu-map` on Bun: sched_setaffinity from libc through bun:ffi, opened at the first use (a
 * configuration without cpu-map never opens it).
 */
import { dlopen, FFIType } from 'bun:ffi';
import { readdirSync } from 'node:fs';
import { cpuMask, CPU_SET_BYTES } from '../shared/cpu-mask.ts';

type SetAffinity = (tid: number, size: number, mask: Uint8Array) => number;
let setAffinity: SetAffinity | undefined;

function libc(): SetAffinity {
  if (setAffinity === undefined) {
    const lib = dlopen('libc.so.6', { sched_setaffinity: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 } });
    setAffinity = (tid, size, mask) => lib.symbols.sched_setaffinity(tid, size, mask) as number;
  }
  return setAffinity;
}

export function bindThreadToCpus(cpus: readonly number[]): boolean {
  return libc()(0, CPU_SET_BYTES, cpuMask(cpus)) === 0;
}

/** Every task of the process: a thread that ended meanwhile is not a failure. */
export function bindProcessToCpus(cpus: readonly number[]): boolean {
  const mask = cpuMask(cpus);
  const set = libc();
  let ok = true;
  for (const tid of readdirSync('/proc/self/task')) {
    if (set(Number(tid), CPU_SET_BYTES, mask) !== 0 && readdirSync('/proc/self/task').includes(tid)) ok = false;
  }
  return ok;
}
