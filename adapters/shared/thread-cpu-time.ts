/**
 * The event loop's busy time where the runtime's performance.eventLoopUtilization() answers
 * zeros (Bun 1.4.5, Deno 2.9.6): the CPU time of the calling thread,
 * clock_gettime(CLOCK_THREAD_CPUTIME_ID) from libc through the runtime's FFI, since these
 * runtimes run their sockets, TLS and timers on the JavaScript thread. Time the thread waited
 * for a CPU counts as idle, where HAProxy counts it as busy.
 */

const CLOCK_THREAD_CPUTIME_ID = 3;

/** libc's clock_gettime(clock, struct timespec *) as the runtime's FFI calls it. */
export type ClockGettime = (clock: number, timespec: BigInt64Array<ArrayBuffer>) => number;

/**
 * Runtime.loopBusyTime over `open`, which binds clock_gettime and is called at the first use
 * (it may throw: no FFI, or no permission for it; the figure is then undefined).
 */
export function threadCpuClock(open: () => ClockGettime): () => number | undefined {
  let clockGettime: ClockGettime | null | undefined;
  /** struct timespec: tv_sec, tv_nsec (64-bit Linux). */
  const timespec = new BigInt64Array(2);
  return () => {
    if (clockGettime === undefined) {
      try {
        clockGettime = open();
      } catch {
        clockGettime = null;
      }
    }
    if (clockGettime === null || clockGettime(CLOCK_THREAD_CPUTIME_ID, timespec) !== 0) return undefined;
    return Number(timespec[0]) * 1000 + Number(timespec[1]) / 1e6;
  };
}
