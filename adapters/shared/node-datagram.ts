/** UDP senders on node:dgram (the Node adapter; Bun and Deno use their own UDP APIs). */
import { createSocket } from 'node:dgram';
import type { DatagramSender } from '../../src/runtime.ts';

export function openDatagramNode(family: 4 | 6): DatagramSender {
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  let closed = false;
  // Syslog over UDP drops what cannot go (ICMP unreachable, no route); nothing to report.
  socket.on('error', () => undefined);
  socket.unref();
  return {
    send(bytes, address, port) {
      if (!closed) socket.send(bytes, port, address);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
