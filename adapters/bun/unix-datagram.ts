/**
 * UNIX datagram syslog (`log /dev/log`) on Bun, whose own sockets have no UNIX datagrams
 * (Bun.udpSocket is UDP only): libc's socket(2) and sendto(2) through bun:ffi, as HAProxy sends,
 * on an unbound socket with MSG_DONTWAIT, so a full receiver never blocks the event loop.
 * Linux/glibc only (elsewhere Runtime.socketUnsupported refuses such targets).
 */
import { dlopen, FFIType, ptr, read } from 'bun:ffi';
import type { UnixDatagramSender } from '../../src/runtime.ts';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const EAGAIN = 11;
/** sizeof(struct sockaddr_un). */
const SOCKADDR_UN_SIZE = 110;

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  sendto(fd: number, buf: number, len: number, flags: number, addr: number, addrlen: number): number;
  close(fd: number): number;
  errno(): number;
}

let libc: Libc | null | undefined;

function openLibc(): Libc | null {
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
    libc = {
      socket: symbols.socket as Libc['socket'],
      sendto: symbols.sendto as unknown as Libc['sendto'],
      close: symbols.close as Libc['close'],
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
  const c = openLibc();
  let fd = c === null ? -1 : c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  // One sockaddr_un per path, built once: a logger sends to the same few paths all along.
  const addresses = new Map<string, [Uint8Array, number]>();
  const encoder = new TextEncoder();
  return {
    send(bytes, path) {
      if (c === null || fd < 0 || bytes.length === 0) return true;
      let address = addresses.get(path);
      if (address === undefined) {
        const sa = new Uint8Array(SOCKADDR_UN_SIZE);
        sa[0] = AF_UNIX;
        const { written } = encoder.encodeInto(path, sa.subarray(2, SOCKADDR_UN_SIZE - 1));
        address = [sa, 2 + written + 1];
        addresses.set(path, address);
      }
      const sent = c.sendto(fd, ptr(bytes), bytes.length, MSG_DONTWAIT | MSG_NOSIGNAL, ptr(address[0]), address[1]);
      // HAProxy counts only a full queue as a dropped log; a missing socket loses the line alone.
      return sent >= 0 || c.errno() !== EAGAIN;
    },
    close() {
      if (c !== null && fd >= 0) c.close(fd);
      fd = -1;
    },
  };
}
