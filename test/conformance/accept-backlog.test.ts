/**
 * The accept queue: a burst of connections arriving while the proxy accepts none must wait in
 * the kernel, not be dropped. The proxy is stopped (SIGSTOP) during the burst, so what connects
 * is exactly what each listener's backlog lets the kernel queue (HAProxy: the frontend's maxconn,
 * else the global maxconn, capped by net.core.somaxconn); then it continues (SIGCONT) and must
 * answer every one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { freePort } from '../support/ports.ts';
import { stopProxy } from '../support/http-suite.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { TARGETS } from '../support/runtimes.ts';

const BURST = 2000;
const SOMAXCONN = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
const CONNECT_WINDOW_MS = 3000;
const ANSWER_WINDOW_MS = 20_000;

/** Resolves once `count()` reaches `target` or the time is up; returns the last count. */
async function waitCount(count: () => number, target: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (count() < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return count();
}

for (const target of TARGETS) {
  describe(`accept backlog on ${target}`, () => {
    it(`queues a burst of ${BURST} connects while not accepting, then answers them all`, { skip: SOMAXCONN < BURST && `net.core.somaxconn is ${SOMAXCONN}` }, async () => {
      const port = await freePort();
      // No maxconn anywhere: the listen queue is the system's maximum, as HAProxy's. The
      // backend has no server, so the proxy answers each request itself (503).
      const proxy = await ProxyProcess.start(
        target,
        `
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s

frontend fe
    bind 127.0.0.1:${port}
    default_backend be

backend be
`,
      );
      const sockets: Socket[] = [];
      let connected = 0;
      let answered = 0;
      let stopped = false;
      try {
        process.kill(proxy.pid, 'SIGSTOP');
        stopped = true;
        for (let i = 0; i < BURST; i++) {
          const socket = connect({ host: '127.0.0.1', port });
          socket.on('error', () => {});
          socket.once('connect', () => {
            connected++;
            socket.write('GET / HTTP/1.1\r\nhost: burst.test\r\n\r\n');
          });
          socket.once('data', (chunk: Buffer) => {
            if (chunk.toString('latin1').startsWith('HTTP/1.1 503')) answered++;
          });
          sockets.push(socket);
        }
        const queued = await waitCount(() => connected, BURST, CONNECT_WINDOW_MS);
        assert.equal(queued, BURST, `only ${queued} of ${BURST} connects completed while the proxy was not accepting`);

        process.kill(proxy.pid, 'SIGCONT');
        stopped = false;
        const done = await waitCount(() => answered, BURST, ANSWER_WINDOW_MS);
        assert.equal(done, BURST, `${done} of ${BURST} answered`);
      } finally {
        if (stopped) process.kill(proxy.pid, 'SIGCONT');
        for (const socket of sockets) socket.destroy();
        await stopProxy(target, proxy);
      }
    });
  });
}
