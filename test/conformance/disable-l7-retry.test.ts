/**
 * `http-request disable-l7-retry` (HAProxy's TX_D_L7_RETRY): with `retry-on 503`, a 503 from
 * the server is retried, unless a request rule disabled layer-7 retries for the transaction;
 * `http-request wait-for-handshake` lets requests through at once (no early data is accepted).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/disable-l7-retry.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

for (const target of TARGETS) {
  describe(`disable-l7-retry on ${target}`, () => {
    let server: HttpTestBackend;
    let proxy: ProxyProcess | undefined;
    let port = 0;
    /** Every other request the server sees is answered 503: the first of each pair. */
    let seen = 0;

    before(async () => {
      const ports = await freePorts(2);
      port = ports[1] as number;
      server = await httpBackend(ports[0] as number, 's', async ({ socket }) => {
        seen++;
        const status = seen % 2 === 1 ? '503 Service Unavailable' : '200 OK';
        await writeAsync(socket, `HTTP/1.1 ${status}\r\ncontent-length: 2\r\n\r\nok`);
        return 'keep';
      });
      proxy = await startProxy(
        target,
        `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    http-request wait-for-handshake
    http-request disable-l7-retry if { path /once }
    default_backend be
backend be
    retry-on 503
    retries 2
    server s 127.0.0.1:${server.port}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await server.close();
    });

    it('retries a 503 when retry-on names it', async () => {
      seen = 0;
      const client = await HttpConnection.open(port);
      const response = await client.request('GET', '/again');
      assert.equal(response.status, 200);
      assert.equal(seen, 2, 'the server saw the request and its retry');
      client.destroy();
    });

    it('answers the first 503 after disable-l7-retry', async () => {
      seen = 0;
      const client = await HttpConnection.open(port);
      const response = await client.request('GET', '/once');
      assert.equal(response.status, 503);
      assert.equal(seen, 1, 'no retry');
      client.destroy();
    });
  });
}
