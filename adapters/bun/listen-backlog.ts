/**
 * Bun.listen takes no backlog: Bun 1.4.5 listens with 512, whatever is asked (so does its
 * node:net). On Linux, listen(2) called again on a listening socket only changes its backlog,
 * so the adapter does that on the listener's `fd` through bun:ffi. Where libc cannot be opened
 * (not Linux/glibc), the listener keeps Bun's 512 (docs/runtimes.md).
 */
import { dlopen, FFIType } from 'bun:ffi';

type Listen = (fd: number, backlog: number) => number;

/** libc's listen(2), opened on first use; null when unavailable. */
let listenCall: Listen | null | undefined;

function libcListen(): Listen | null {
  if (listenCall !== undefined) return listenCall;
  listenCall = null;
  if (process.platform !== 'linux') return listenCall;
  try {
    const libc = dlopen('libc.so.6', { listen: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
    listenCall = libc.symbols.listen as Listen;
  } catch {
    // musl or no FFI: Bun's own backlog stays.
  }
  return listenCall;
}

/** Sets the accept queue of a listening socket; false when it could not be changed. */
export function setListenBacklog(fd: number, backlog: number): boolean {
  const listen = libcListen();
  return listen !== null && listen(fd, Math.min(backlog, 2_147_483_647)) === 0;
}
