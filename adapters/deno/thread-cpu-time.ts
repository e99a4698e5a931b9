/// <reference lib="deno.ns" />
/**
 * The event loop's busy time on Deno, whose performance.eventLoopUtilization() answers zeros
 * (Deno 2.9.6): the CPU time of the calling thread (clock_gettime(CLOCK_THREAD_CPUTIME_ID)
 * through Deno.dlopen, which needs --allow-ffi: `-A` gives it; without it there is no figure),
 * since Deno runs its sockets, TLS and timers on the JavaScript thread. Time the thread waited
 * for a CPU counts as idle, where HAProxy counts it as busy.
 */
const CLOCK_THREAD_CPUTIME_ID = 3;

type ClockGettime = (clock: number, timespec: BigInt64Array<ArrayBuffer>) => number;
let clockGettime: ClockGettime | null | undefined;
/** struct timespec: tv_sec, tv_nsec (64-bit Linux). */
const timespec = new BigInt64Array(2);

function libc(): ClockGettime | null {
  if (clockGettime === undefined) {
    try {
      const lib = Deno.dlopen('libc.so.6', { clock_gettime: { parameters: ['i32', 'buffer'], result: 'i32' } } as const);
      clockGettime = (clock, ts) => lib.symbols.clock_gettime(clock, ts);
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
