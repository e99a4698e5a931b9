/**
 * `max-keep-alive-queue` with `option prefer-last-server` (HAProxy's assign_server): a client's
 * next request goes back to the server its private connection leads to even when that server
 * is full (it waits in its queue), unless `max-keep-alive-queue N` says N sessions or more wait
 * there; with 0 such a request is never queued and the balancer picks a server with room.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/max-keep-alive-queue.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

/** How long server a keeps the slow request: the time a queued request would wait. */
const SLOW_MS = 1_500;

for (const target of TARGETS) {
  describe(`max-keep-alive-queue on ${target}`, () => {
    const backends: HttpTestBackend[] = [];
    let ports: number[] = [];

    before(async () => {
      ports = await freePorts(4);
      for (const [i, name] of ['a', 'b'].entries()) {
        backends.push(
          await httpBackend(ports[i] as number, name, async ({ socket, request }) => {
            if (request.target === '/slow') await new Promise((r) => setTimeout(r, SLOW_MS));
            if (socket.destroyed) return 'hold';
            await writeAsync(socket, `HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n${name}`);
            return 'keep';
          }),
        );
      }
    });

    after(async () => {
      destroyAllClients();
      await Promise.all(backends.map((b) => b.close()));
    });

    /** The server that answers a client's second request while its first server is full. */
    async function secondAnswer(line: string, port: number): Promise<{ server: string; waitedMs: number }> {
      let proxy: ProxyProcess | undefined;
      const [a, b] = backends as [HttpTestBackend, HttpTestBackend];
      try {
        proxy = await startProxy(
          target,
          `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    option prefer-last-server
    http-reuse never
    timeout queue 10s
    balance roundrobin
${line}    use-server a if { path /slow }
    server a 127.0.0.1:${a.port} maxconn 1
    server b 127.0.0.1:${b.port}
`,
        );
        const client = await HttpConnection.open(port);
        assert.equal((await client.request('GET', '/')).text, 'a', 'round robin starts with a');
        // Another client takes a's only slot for SLOW_MS.
        const other = await HttpConnection.open(port);
        const before = a.requests;
        const slow = other.request('GET', '/slow');
        assert.ok(await a.waitForRequests(before + 1, 5_000), 'the slow request reached a');
        const started = Date.now();
        const server = (await client.request('GET', '/')).text;
        const waitedMs = Date.now() - started;
        assert.equal((await slow).text, 'a');
        client.destroy();
        other.destroy();
        return { server, waitedMs };
      } finally {
        await stopProxy(target, proxy);
      }
    }

    it('without it, the request waits in its full last server', async () => {
      const { server, waitedMs } = await secondAnswer('', ports[2] as number);
      assert.equal(server, 'a');
      assert.ok(waitedMs >= 500, `answered after ${waitedMs} ms: it did not wait for a's slot`);
    });

    it('with max-keep-alive-queue 0, the balancer sends it to a server with room', async () => {
      const { server } = await secondAnswer('    max-keep-alive-queue 0\n', ports[3] as number);
      assert.equal(server, 'b');
    });
  });
}
