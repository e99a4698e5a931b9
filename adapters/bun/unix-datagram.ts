/**
 * UNIX datagram syslog (`log /dev/log`) on Bun: libc's socket(2) and sendto(2) bound through
 * bun:ffi for adapters/shared/libc-unix-datagram.ts. Linux/glibc only (elsewhere
 * Runtime.socketUnsupported refuses such targets).
 */
import { dlopen, FFIType, ptr, read } from 'bun:ffi';
import type { UnixDatagramSender } from '../../src/runtime.ts';
import { libcUnixDatagramSender, type LibcDatagramCalls } from '../shared/libc-unix-datagram.ts';

let libc: LibcDatagramCalls | null | undefined;

function openLibc(): LibcDatagramCalls | null {
  if (libc !== undefined) return libc;
  libc = null;
  try {
    const { symbols } = dlopen('libc.so.6', {
      socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
      // ssize_t read as i32: a datagram is at most 64 kB, and -1 stays -1.
      sendto: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
      close: { args: [FFIType.i32], returns: FFIType.i32 },
      __errno_location: { args: [], returns: FFIType.ptr },
    });
    const sendto = symbols.sendto as unknown as (fd: number, buf: unknown, len: number, flags: number, addr: unknown, addrlen: number) => number;
    libc = {
      socket: symbols.socket as LibcDatagramCalls['socket'],
      sendto: (fd, bytes, flags, address, addressLength) => sendto(fd, ptr(bytes), bytes.length, flags, ptr(address), addressLength),
      close: symbols.close as LibcDatagramCalls['close'],
      errno: () => {
        const at = symbols.__errno_location();
        return at === null ? 0 : read.i32(at, 0);
      },
    };
  } catch {
    // musl or no FFI: nothing can be sent.
  }
  return libc;
}

/** Whether this platform can send UNIX datagrams this way. */
export const BUN_UNIX_DATAGRAMS = process.platform === 'linux';

export function openUnixDatagramSenderBun(): UnixDatagramSender {
  return libcUnixDatagramSender(openLibc());
}
