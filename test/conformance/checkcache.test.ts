/**
 * `option checkcache`: a response a shared cache could keep together with the cookie its server
 * sets is blocked, with HAProxy's alert; responses with no cookie, or not cacheable (private, no
 * freshness nor validator, a POST without `public`...), go through, and so does one that `cookie
 * ... nocache` made private. HAProxy 2.6.12 answers a blocked response with its page for the
 * server's status (a bug of its deny path); Switchyard with the documented 502.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/checkcache.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

/** What the server answers, by path. */
const HEADERS: Record<string, string> = {
  '/fresh': 'Set-Cookie: a=b\r\nCache-Control: max-age=60\r\n',
  '/etag': 'Set-Cookie: a=b\r\nETag: "x"\r\n',
  '/plain': 'Set-Cookie: a=b\r\n',
  '/private': 'Set-Cookie: a=b\r\nCache-Control: private, max-age=60\r\n',
  '/no-cookie': 'Cache-Control: max-age=60\r\n',
  '/public-fresh': 'Set-Cookie: a=b\r\nCache-Control: public, max-age=60\r\n',
};

for (const target of TARGETS) {
  describe(`option checkcache on ${target}`, () => {
    let server: HttpTestBackend;
    let proxy: ProxyProcess | undefined;
    let port = 0;
    let persistPort = 0;

    before(async () => {
      const ports = await freePorts(3);
      [port, persistPort] = ports as [number, number];
      server = await httpBackend(ports[2] as number, 's', async ({ socket, request }) => {
        await writeAsync(socket, `HTTP/1.1 200 OK\r\n${HEADERS[request.target] ?? ''}content-length: 2\r\n\r\nok`);
        return 'keep';
      });
      proxy = await startProxy(
        target,
        `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
frontend fe-persist
    bind 127.0.0.1:${persistPort}
    default_backend be-persist
backend be
    option checkcache
    server s1 127.0.0.1:${server.port}
backend be-persist
    option checkcache
    cookie SRV insert nocache
    server s1 127.0.0.1:${server.port} cookie s1
`,
      );
    });

    after(async () => {
      destroyAllClients();
      // The alerts are expected here: stopProxy's check of HAProxy's stderr would refuse them.
      if (target === 'haproxy') await proxy?.stop();
      else await stopProxy(target, proxy);
      await server.close();
    });

    async function fetch(path: string, method = 'GET', at = port): Promise<{ status: number; cookie: string | undefined; body: string }> {
      const client = await HttpConnection.open(at);
      const res = await client.request(method, path);
      client.destroy();
      return { status: res.status, cookie: res.header('set-cookie'), body: res.text };
    }

    function assertBlocked(res: { status: number; cookie: string | undefined; body: string }, what: string): void {
      assert.equal(res.cookie, undefined, `${what}: the cookie does not reach the client`);
      assert.notEqual(res.body, 'ok', `${what}: nor the server's body`);
      // HAProxy 2.6.12 sends its page for the server's status (200 "Service ready."): see the header comment.
      if (target !== 'haproxy') assert.equal(res.status, 502, what);
    }

    it('blocks a cacheable response that sets a cookie, with the alert', async () => {
      assertBlocked(await fetch('/fresh'), 'max-age');
      assertBlocked(await fetch('/etag'), 'a validator');
      assertBlocked(await fetch('/public-fresh', 'POST'), 'public, even for a POST');
      assert.ok(
        await eventually(() => /Blocking cacheable cookie in response from instance be, server s1\./.test(proxy?.stderr ?? ''), 5_000),
        `the alert: ${proxy?.stderr ?? ''}`,
      );
    });

    it('lets through what a cache would not keep with a cookie', async () => {
      for (const path of ['/plain', '/private', '/no-cookie']) {
        const res = await fetch(path);
        assert.deepEqual([res.status, res.body], [200, 'ok'], path);
      }
      const post = await fetch('/fresh', 'POST');
      assert.deepEqual([post.status, post.cookie], [200, 'a=b'], 'a POST');
    });

    it('a cookie nocache insertion makes the response private: it goes through', async () => {
      const res = await fetch('/fresh', 'GET', persistPort);
      assert.equal(res.status, 200);
      assert.equal(res.body, 'ok');
    });
  });
}
