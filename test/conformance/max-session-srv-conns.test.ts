/**
 * `max-session-srv-conns N` (HAProxy's default 5, MAX_SRV_LIST): how many idle private server
 * connections (`http-reuse never`) one client connection keeps for its next requests. A
 * keep-alive client visits eight servers in turn; once done, the servers count the connections
 * the proxy kept open to them.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/max-session-srv-conns.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const SERVERS = 8;

for (const target of TARGETS) {
  describe(`max-session-srv-conns on ${target}`, () => {
    const backends: HttpTestBackend[] = [];
    let ports: number[] = [];

    before(async () => {
      ports = await freePorts(SERVERS + 3);
      for (let i = 0; i < SERVERS; i++) {
        backends.push(
          await httpBackend(ports[i] as number, `s${i}`, async ({ socket }) => {
            await writeAsync(socket, `HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\ns${i}`);
            return 'keep';
          }),
        );
      }
    });

    after(async () => {
      destroyAllClients();
      await Promise.all(backends.map((b) => b.close()));
    });

    const open = (): number => backends.reduce((n, b) => n + b.openConnections().length, 0);

    async function keptAfterVisitingAll(frontendLine: string, port: number): Promise<number> {
      const servers = backends.map((b, i) => `    server s${i} 127.0.0.1:${b.port}`).join('\n');
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await startProxy(
          target,
          `${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n${frontendLine}    default_backend be\nbackend be\n    http-reuse never\n    balance roundrobin\n${servers}\n`,
        );
        const before = open();
        const conn = await HttpConnection.open(port);
        const seen = new Set<string>();
        for (let i = 0; i < SERVERS; i++) seen.add((await conn.request('GET', '/')).text);
        assert.equal(seen.size, SERVERS, 'round robin visited every server');
        // The last response's connection is parked (or closed) once the transaction ends.
        let kept = -1;
        await eventually(() => {
          kept = open() - before;
          return kept <= SERVERS;
        }, 2_000);
        await new Promise((r) => setTimeout(r, 300));
        kept = open() - before;
        conn.destroy();
        return kept;
      } finally {
        await stopProxy(target, proxy);
        await Promise.all(backends.map((b) => b.waitAllClosed(5_000)));
      }
    }

    it("keeps HAProxy's default of 5 idle private server connections per client connection", async () => {
      assert.equal(await keptAfterVisitingAll('', ports[SERVERS] as number), 5);
    });

    it('keeps N with max-session-srv-conns N, none with 0', async () => {
      assert.equal(await keptAfterVisitingAll('    max-session-srv-conns 2\n', ports[SERVERS + 1] as number), 2);
      assert.equal(await keptAfterVisitingAll('    max-session-srv-conns 0\n', ports[SERVERS + 2] as number), 0);
    });
  });
}
