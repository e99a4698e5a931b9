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

/**
 * A UDP socket bound to `host`:`port` (a `log-forward` section's `dgram-bind`), handing every
 * datagram to `receiver`. SO_REUSEADDR lets the next process of a reload bind it too, as
 * HAProxy's listeners do; `exclusive` binds it in this process even in a cluster worker.
 */
export function bindDatagramSocketNode(host: string, port: number, receiver: DatagramReceiver): Promise<DatagramSender> {
  const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: true });
  let closed = false;
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void => {
      closed = true;
      socket.close();
      reject(error);
    };
    socket.once('error', failed);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', failed);
      socket.on('error', () => undefined);
      socket.on('message', (bytes, from) => {
        if (!closed) receiver.onDatagram(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), from.address, from.port);
      });
      resolve({
        send(bytes, address, toPort) {
          if (!closed) socket.send(bytes, toPort, address);
        },
        close() {
          if (closed) return;
          closed = true;
          socket.close();
        },
      });
    });
  });
}
