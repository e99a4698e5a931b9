#!/usr/bin/env node
// Child process of the idle-fds scenario: opens COUNT keep-alive connections to 127.0.0.1:PORT,
// at most CONCURRENCY at a time; each sends one GET and reads its whole response, then stays
// open and silent. Prints one JSON line when every connection is idle (or failed), then holds
// the connections until SIGTERM or until HOLD_S seconds passed (a bound, should the parent die).
// Usage: node bench/lib/idle-clients.mjs PORT COUNT CONCURRENCY HOLD_S
import { connect } from 'node:net';

const [port, count, concurrency, holdS] = process.argv.slice(2).map(Number);
const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: idle-fds\r\n\r\n', 'latin1');
const sockets = [];
let started = 0;
let idle = 0;
let failed = 0;
let firstError;
const t0 = performance.now();

/** Resolves once the response (head + Content-Length body) arrived on a new connection. */
function oneClient() {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    sockets.push(socket);
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (ok, error) => {
      if (done) return;
      done = true;
      if (ok) idle++;
      else {
        failed++;
        firstError ??= error;
      }
      resolve();
    };
    socket.on('connect', () => socket.write(REQUEST));
    socket.on('data', (chunk) => {
      if (done) return;
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.subarray(0, end).toString('latin1');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const total = end + 4 + (length ? Number(length[1]) : 0);
      if (received.length < total) return;
      if (!head.startsWith('HTTP/1.1 200')) return finish(false, head.split('\r\n')[0]);
      finish(true);
    });
    socket.on('error', (err) => finish(false, err.message));
    socket.on('close', () => finish(false, 'closed before the response'));
  });
}

async function worker() {
  while (started < count) {
    started++;
    await oneClient();
  }
}

await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
process.stdout.write(`${JSON.stringify({ idle, failed, firstError, openMs: Math.round(performance.now() - t0) })}\n`);

const bound = setTimeout(() => process.exit(0), holdS * 1000);
process.on('SIGTERM', () => {
  clearTimeout(bound);
  for (const s of sockets) s.destroy();
  process.exit(0);
});
