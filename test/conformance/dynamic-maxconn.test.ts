/**
 * The dynamic server limit (`minconn`, `fullconn`): a server with minconn below its maxconn
 * takes minconn sessions while its backend's load is far from fullconn, and up to maxconn as
 * the load reaches it; the others wait in the queue and are all served in the end. fullconn
 * defaults to a tenth of the maxconn of the frontends reaching the backend; `show stat` shows it
 * as the backend's `slim`, and a server's maxconn (a lone `minconn` becomes one) as its own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statNumbers } from '../support/cli-client.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { eventually, HTTP_DEFAULTS, startProxy, stopProxy, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const REQUESTS = 8;

/** A server holding every request until release(); counts those it holds. */
async function heldBackend(port: number): Promise<{ backend: HttpTestBackend; held: () => number; release: () => void }> {
  let held = 0;
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const backend = await httpBackend(port, 'held', async ({ socket }) => {
    held++;
    await gate;
    if (socket.destroyed) return 'hold';
    await writeAsync(socket, 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    return 'keep';
  });
  return { backend, held: () => held, release: () => open() };
}

function config(port: number, cliPort: number, serverPort: number, frontendMaxconn: number, fullconn: string): string {
  return `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
    timeout queue 10s

frontend fe
    bind 127.0.0.1:${port}
    maxconn ${frontendMaxconn}
    default_backend be

backend be
${fullconn}
    server s1 127.0.0.1:${serverPort} maxconn 10 minconn 2

backend lone
    server s2 127.0.0.1:${serverPort} minconn 3
`;
}

/** Polls `check` until it holds (true) or the time is up (false). */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends REQUESTS requests on their own connections; resolves their statuses once all are answered. */
async function requests(port: number): Promise<{ connections: HttpConnection[]; statuses: Promise<number[]> }> {
  const connections = await Promise.all(Array.from({ length: REQUESTS }, () => HttpConnection.open(port)));
  const statuses = Promise.all(connections.map((c, i) => c.request('GET', `/?i=${i}`, {}, undefined, 15_000).then((r) => r.status)));
  return { connections, statuses };
}

for (const target of TARGETS) {
  describe(`minconn and fullconn on ${target}`, () => {
    it(`far from fullconn, a server takes minconn sessions; the others queue and are all served`, async () => {
      const [port, cliPort, serverPort] = (await freePorts(3)) as [number, number, number];
      const server = await heldBackend(serverPort);
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await startProxy(target, config(port, cliPort, serverPort, 1000, '    fullconn 100'));
        assert.deepEqual(await statNumbers(cliPort, 'be', 'BACKEND', ['slim']), [100]);
        assert.deepEqual(await statNumbers(cliPort, 'be', 's1', ['slim']), [10]);
        assert.deepEqual(await statNumbers(cliPort, 'lone', 's2', ['slim']), [3], 'a lone minconn is the maxconn');
        const { connections, statuses } = await requests(port);
        // 8 sessions on the backend, fullconn 100: max(minconn 2, 8 * 10 / 100) = 2 at the server.
        let queued = -1;
        const settled = await until(async () => {
          [queued] = (await statNumbers(cliPort, 'be', 'BACKEND', ['qcur'])) as [number];
          return server.held() === 2 && queued === REQUESTS - 2;
        }, 10_000);
        assert.ok(settled, `the server holds ${server.held()}, ${queued} queued (expected 2 and ${REQUESTS - 2})`);
        assert.deepEqual(await statNumbers(cliPort, 'be', 's1', ['scur']), [2]);
        server.release();
        assert.deepEqual(await statuses, Array(REQUESTS).fill(200));
        assert.equal(server.held(), REQUESTS);
        for (const c of connections) c.destroy();
      } finally {
        server.release();
        destroyAllClients();
        await stopProxy(target, proxy);
        await server.backend.close();
      }
    });

    it('fullconn defaults to a tenth of the frontends\' maxconn; at that load a server takes up to its maxconn', async () => {
      const [port, cliPort, serverPort] = (await freePorts(3)) as [number, number, number];
      const server = await heldBackend(serverPort);
      let proxy: ProxyProcess | undefined;
      try {
        // frontend maxconn 40: fullconn 4, reached by the 4th session; the 8 fit in maxconn 10.
        proxy = await startProxy(target, config(port, cliPort, serverPort, 40, ''));
        assert.deepEqual(await statNumbers(cliPort, 'be', 'BACKEND', ['slim']), [4]);
        const { connections, statuses } = await requests(port);
        assert.ok(await eventually(() => server.held() === REQUESTS, 10_000), `the server holds ${server.held()} of ${REQUESTS}`);
        assert.deepEqual(await statNumbers(cliPort, 'be', 'BACKEND', ['qcur']), [0]);
        server.release();
        assert.deepEqual(await statuses, Array(REQUESTS).fill(200));
        for (const c of connections) c.destroy();
      } finally {
        server.release();
        destroyAllClients();
        await stopProxy(target, proxy);
        await server.backend.close();
      }
    });
  });
}
