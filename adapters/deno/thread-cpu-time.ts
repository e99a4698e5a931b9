/// <reference lib="deno.ns" />
/**
 * Runtime.loopBusyTime on Deno: the thread's CPU time through Deno.dlopen, which needs
 * --allow-ffi (`-A` gives it; without it there is no figure): adapters/shared/thread-cpu-time.ts.
 */
import { threadCpuClock } from '../shared/thread-cpu-time.ts';

export const threadCpuMs = threadCpuClock(() => {
  const lib = Deno.dlopen('libc.so.6', { clock_gettime: { parameters: ['i32', 'buffer'], result: 'i32' } } as const);
  return (clock, timespec) => lib.symbols.clock_gettime(clock, timespec);
});
