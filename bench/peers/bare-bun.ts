// The plainest proxy on Bun: Bun.listen / Bun.connect (the native sockets Switchyard's Bun
// adapter uses) copying bytes both ways, nothing else. One server connection per client
// connection; a write Bun only partly took is queued and the reader paused until drain.
// Usage: bun bench/peers/bare-bun.ts PORT BACKEND_URL
import type { Socket } from 'bun';

const port = Number(process.argv[2]);
const backend = new URL(process.argv[3]!);

interface Side {
  peer: Socket<Side> | undefined;
  /** Bytes the peer's socket did not take yet. */
  queue: Uint8Array[];
  /** Bytes read before the server connection was up. */
  early: Uint8Array[];
  closed: boolean;
}

/** Writes to `to` what it takes, queues the rest and stops reading `from` until it drains. */
function forward(from: Socket<Side>, to: Socket<Side>, chunk: Uint8Array): void {
  const side = to.data;
  if (side.queue.length > 0) {
    side.queue.push(chunk.slice());
    return;
  }
  const n = to.write(chunk);
  if (n < chunk.byteLength) {
    side.queue.push(chunk.slice(n));
    from.pause();
  }
}

function drained(socket: Socket<Side>): void {
  const side = socket.data;
  while (side.queue.length > 0) {
    const chunk = side.queue[0]!;
    const n = socket.write(chunk);
    if (n < chunk.byteLength) {
      side.queue[0] = chunk.slice(n);
      return;
    }
    side.queue.shift();
  }
  side.peer?.resume();
}

const handlers = {
  data(socket: Socket<Side>, chunk: Uint8Array) {
    const peer = socket.data.peer;
    if (peer === undefined) socket.data.early.push(chunk.slice());
    else forward(socket, peer, chunk);
  },
  drain: drained,
  end(socket: Socket<Side>) {
    socket.data.peer?.end();
  },
  close(socket: Socket<Side>) {
    // Closed (or reset) for good: the other connection has nothing left to carry.
    socket.data.closed = true;
    socket.data.peer?.terminate();
  },
  error() {},
};

Bun.listen<Side>({
  hostname: '127.0.0.1',
  port,
  socket: {
    ...handlers,
    open(client) {
      client.data = { peer: undefined, queue: [], early: [], closed: false };
      client.setNoDelay(true);
      void Bun.connect<Side>({
        hostname: backend.hostname,
        port: Number(backend.port),
        data: { peer: client, queue: [], early: [], closed: false },
        socket: {
          ...handlers,
          open(upstream) {
            if (client.data.closed) {
              upstream.terminate();
              return;
            }
            upstream.setNoDelay(true);
            client.data.peer = upstream;
            for (const chunk of client.data.early.splice(0)) forward(client, upstream, chunk);
          },
          connectError() {
            client.end();
          },
        },
      });
    },
  },
});
process.on('SIGTERM', () => process.exit(0));
