/**
 * UNIX datagram syslog (`log /dev/log`) on Node, whose node:dgram has UDP sockets only: libc's
 * socket(2) and sendto(2) bound through node:ffi (Node 26.1+, experimental, in builds with FFI
 * and without --no-experimental-ffi) for adapters/shared/libc-unix-datagram.ts. The symbols are
 * resolved from the process itself (glibc or musl, whichever Node runs on). On an older Node,
 * or one without node:ffi, Runtime.socketUnsupported says so and such targets are refused.
 */
import { builtinModules } from 'node:module';
import type { UnixDatagramSender } from '../../src/runtime.ts';
import { libcUnixDatagramSender, type LibcDatagramCalls } from '../shared/libc-unix-datagram.ts';

/** What is used of node:ffi (its types are not in @types/node 20). */
interface NodeFfi {
  dlopen(
    path: string | null,
    definitions: Record<string, { readonly arguments: readonly string[]; readonly return: string }>,
  ): { readonly functions: Record<string, (...args: unknown[]) => unknown> };
  getInt32(pointer: unknown, offset: number): number;
}

/** Whether this Node can send UNIX datagrams this way (checked without loading node:ffi). */
export const NODE_UNIX_DATAGRAMS = process.platform === 'linux' && builtinModules.includes('node:ffi');

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

/**
 * node:ffi, without the ExperimentalWarning its first load prints: an operator who wrote
 * `log /dev/log` asked for nothing experimental, and the feature is checked by the suite.
 */
function loadFfi(): NodeFfi | undefined {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('FFI is an experimental feature')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:ffi') as NodeFfi | undefined;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

export function openUnixDatagramSenderNode(): UnixDatagramSender {
  return libcUnixDatagramSender(openLibc());
}
