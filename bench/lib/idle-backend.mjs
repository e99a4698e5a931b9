#!/usr/bin/env node
// Child process of the idle-fds scenario: a keep-alive HTTP/1.1 backend on raw sockets that
// answers every request with 200 "hello\n" and never closes a connection by itself, so every
// server connection a proxy keeps stays visible (counted from this process's /proc).
// Usage: node bench/lib/idle-backend.mjs PORT
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Type: text/plain\r\n\r\nhello\n', 'latin1');
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');

const server = createServer({ noDelay: true }, (socket) => {
  // The bench only sends GETs without a body: a request ends at its blank line.
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at;
    while ((at = pending.indexOf(END_OF_HEAD)) >= 0) {
      socket.write(RESPONSE);
      pending = pending.subarray(at + END_OF_HEAD.length);
    }
  });
  socket.on('error', () => {});
});
server.listen({ host: '127.0.0.1', port, backlog: 4096 }, () => process.stdout.write(`listening ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
