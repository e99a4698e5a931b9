/** UDP senders on node:dgram (the Node adapter; Bun and Deno use their own UDP APIs). */
import { createSocket } from 'node:dgram';
import type { DatagramReceiver, DatagramSender } from '../../src/runtime.ts';

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

/** A UDP socket on node:dgram that also receives (bound to an ephemeral port on first send). */
export function openDatagramSocketNode(family: 4 | 6, receiver: DatagramReceiver): DatagramSender {
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  let closed = false;
  // An ICMP unreachable from a dead nameserver surfaces here; the resolver's retry timer copes.
  socket.on('error', () => undefined);
  socket.on('message', (bytes, from) => {
    if (!closed) receiver.onDatagram(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), from.address, from.port);
  });
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
