/**
 * UNIX datagram syslog (`log /dev/log`) on Node, whose node:dgram has UDP sockets only: libc's
 * socket(2) and sendto(2) bound through node:ffi (Node 26.1+, experimental, in builds with FFI
 * and without --no-experimental-ffi) for adapters/shared/libc-unix-datagram.ts. The symbols are
 * resolved from the process itself (glibc or musl, whichever Node runs on). On an older Node,
 * or one without node:ffi, Runtime.socketUnsupported says so and such targets are refused.
 */
import type { UnixDatagramSender } from '../../src/runtime.ts';
import { libcUnixDatagramSender, type LibcDatagramCalls } from '../shared/libc-unix-datagram.ts';
import { loadFfi, NODE_FFI } from './ffi.ts';

/** Whether this Node can send UNIX datagrams this way. */
export const NODE_UNIX_DATAGRAMS = NODE_FFI;

let libc: LibcDatagramCalls | null | undefined;

function openLibc(): LibcDatagramCalls | null {
  if (libc !== undefined) return libc;
  libc = null;
  const ffi = loadFfi();
  if (ffi === undefined) return libc;
  try {
    const { functions: f } = ffi.dlopen(null, {
      socket: { arguments: ['int32', 'int32', 'int32'], return: 'int32' },
      // ssize_t as int64: node:ffi hands it back as a bigint.
      sendto: { arguments: ['int32', 'buffer', 'uint64', 'int32', 'buffer', 'uint32'], return: 'int64' },
      close: { arguments: ['int32'], return: 'int32' },
      __errno_location: { arguments: [], return: 'pointer' },
    });
    const socket = f.socket as (domain: number, type: number, protocol: number) => number;
    const sendto = f.sendto as (fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array, addrlen: number) => bigint;
    const close = f.close as (fd: number) => number;
    const errnoLocation = f.__errno_location as () => unknown;
    libc = {
      socket,
      sendto: (fd, bytes, flags, address, addressLength) => Number(sendto(fd, bytes, bytes.length, flags, address, addressLength)),
      close,
      errno: () => ffi.getInt32(errnoLocation(), 0),
    };
  } catch {
    // A libc without these symbols: nothing can be sent.
  }
  return libc;
}

export function openUnixDatagramSenderNode(): UnixDatagramSender {
  return libcUnixDatagramSender(openLibc());
}
