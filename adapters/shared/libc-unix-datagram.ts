/**
 * UNIX datagram syslog (`log /dev/log`) for runtimes whose own sockets have no UNIX datagrams
 * (Bun.udpSocket and node:dgram are UDP only): libc's socket(2) and sendto(2) through the
 * runtime's FFI (bun:ffi, Node's node:ffi), as HAProxy sends, on an unbound socket with
 * MSG_DONTWAIT, so a full receiver never blocks the event loop. Each adapter binds the calls;
 * what is sent, and what counts as dropped, is decided here once.
 */
import type { UnixDatagramSender } from '../../src/runtime.ts';

/** The libc calls, bound by an adapter's FFI (pointers taken from the arrays it is given). */
export interface LibcDatagramCalls {
  socket(domain: number, type: number, protocol: number): number;
  sendto(fd: number, bytes: Uint8Array, flags: number, address: Uint8Array, addressLength: number): number;
  close(fd: number): number;
  errno(): number;
}

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const EAGAIN = 11;
/** sizeof(struct sockaddr_un). */
const SOCKADDR_UN_SIZE = 110;

/** A sender over `c`; with no libc (no FFI, or a libc the adapter could not bind) it sends nothing. */
export function libcUnixDatagramSender(c: LibcDatagramCalls | null): UnixDatagramSender {
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
        // A name starting with NUL is in the abstract namespace (sd_notify's `@NAME`, HAProxy's
        // `abns@NAME` padded to the whole sun_path): its length says where it ends, a trailing
        // NUL would be part of it. A path keeps room for its terminating NUL.
        const abstract = path.startsWith('\0');
        const { written } = encoder.encodeInto(path, sa.subarray(2, abstract ? SOCKADDR_UN_SIZE : SOCKADDR_UN_SIZE - 1));
        address = [sa, 2 + written + (abstract ? 0 : 1)];
        addresses.set(path, address);
      }
      const sent = c.sendto(fd, bytes, MSG_DONTWAIT | MSG_NOSIGNAL, address[0], address[1]);
      // HAProxy counts only a full queue as a dropped log; a missing socket loses the line alone.
      return sent >= 0 || c.errno() !== EAGAIN;
    },
    close() {
      if (c !== null && fd >= 0) c.close(fd);
      fd = -1;
    },
  };
}
