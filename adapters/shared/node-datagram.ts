/** UDP sockets on node:dgram (the Node adapter; Bun and Deno use their own UDP APIs). */
import { createSocket } from 'node:dgram';
import type { DatagramReceiver, DatagramSender } from '../../src/runtime.ts';

/** A UDP socket, bound to an ephemeral port on first send; it receives only when given a receiver. */
export function openDatagramSocketNode(family: 4 | 6, receiver?: DatagramReceiver): DatagramSender {
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  let closed = false;
  // What cannot go (ICMP unreachable from a dead syslog server or nameserver, no route) surfaces
  // here: syslog drops it, and the resolvers' retry timer copes.
  socket.on('error', () => undefined);
  if (receiver === undefined) socket.unref();
  else {
    socket.on('message', (bytes, from) => {
      if (!closed) receiver.onDatagram(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), from.address, from.port);
    });
  }
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
