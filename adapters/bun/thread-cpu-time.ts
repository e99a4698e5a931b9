/**
 * The event loop's busy time on Bun, whose performance.eventLoopUtilization() answers zeros
 * (Bun 1.4.5): the CPU time of the calling thread (clock_gettime(CLOCK_THREAD_CPUTIME_ID)
 * through bun:ffi), since Bun runs its sockets, TLS and timers on the JavaScript thread. Time the
 * thread waited for a CPU counts as idle, where HAProxy counts it as busy.
 */
import { dlopen, FFIType } from 'bun:ffi';

const CLOCK_THREAD_CPUTIME_ID = 3;

type ClockGettime = (clock: number, timespec: BigInt64Array) => number;
let clockGettime: ClockGettime | null | undefined;
/** struct timespec: tv_sec, tv_nsec (64-bit Linux). */
const timespec = new BigInt64Array(2);

function libc(): ClockGettime | null {
  if (clockGettime === undefined) {
    try {
      const lib = dlopen('libc.so.6', { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
      clockGettime = (clock, ts) => lib.symbols.clock_gettime(clock, ts) as number;
    } catch {
      clockGettime = null;
    }
  }
  return clockGettime;
}

export function threadCpuMs(): number | undefined {
  const get = libc();
  if (get === null || get(CLOCK_THREAD_CPUTIME_ID, timespec) !== 0) return undefined;
  return Number(timespec[0]) * 1000 + Number(timespec[1]) / 1e6;
}
