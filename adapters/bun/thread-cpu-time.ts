/** Runtime.loopBusyTime on Bun: the thread's CPU time through bun:ffi (adapters/shared/thread-cpu-time.ts). */
import { dlopen, FFIType } from 'bun:ffi';
import { threadCpuClock } from '../shared/thread-cpu-time.ts';

export const threadCpuMs = threadCpuClock(() => {
  const lib = dlopen('libc.so.6', { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
  return (clock, timespec) => lib.symbols.clock_gettime(clock, timespec) as number;
});
