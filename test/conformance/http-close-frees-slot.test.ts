/**
 * Black-box conformance of the end of a connection the proxy closes after its response
 * (`Connection: close` from the client, HTTP/1.0 without keep-alive, `option httpclose`): once
 * the response and the proxy's FIN are out, the session is over, as HAProxy's, which closes its
 * socket then. The client keeping its side open does not hold the frontend's `maxconn` slot, nor
 * count in CurrConns, until it closes or `timeout client` strikes.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-close-frees-slot.test.js
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, buildRequest, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, startProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

for (const target of TARGETS) {
  describe(`a connection closed after its response frees its slot at once on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let be: HttpTestBackend;
    let fe: number;
    let feClose: number;
    let socketPath: string;

    before(async () => {
      const [p1, p2, pbe] = await freePorts(3);
      fe = p1 as number;
      feClose = p2 as number;
      be = await appBackend(pbe as number, 'app');
      socketPath = `/tmp/switchyard-close-frees-slot-${process.pid}-${target}.sock`;
      proxy = await startProxy(
        target,
        `
global
    stats socket ${socketPath} level admin

defaults
    mode http
    timeout connect 500ms
    timeout client 30s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${fe}
    maxconn 1
    default_backend be_app

frontend fe_httpclose
    bind 127.0.0.1:${feClose}
    maxconn 1
    option httpclose
    default_backend be_app

backend be_app
    server s1 127.0.0.1:${pbe}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      await be.close();
      // Its UNIX socket outlives the proxy (HAProxy's too): the test removes it.
      rmSync(socketPath, { force: true });
    });

    /** Sends `request`, reads its response and the proxy's FIN, and keeps the socket open. */
    async function servedAndLeftOpen(port: number, request: Buffer): Promise<HttpConnection> {
      const conn = await HttpConnection.open(port);
      await conn.write(request);
      const res = await conn.read('GET', 2000);
      assert.equal(res.status, 200);
      assert.ok(await conn.waitClosed(1000), 'the proxy sent its FIN after the response');
      return conn;
    }

    /** The frontend's only slot is free: a new connection is served well before `timeout client`. */
    async function assertSlotFree(port: number): Promise<void> {
      const conn = await HttpConnection.open(port);
      try {
        const res = await conn.request('GET', '/next', {}, undefined, 2000);
        assert.equal(res.status, 200);
      } finally {
        conn.destroy();
      }
    }

    async function currConns(): Promise<number> {
      const info = await cli({ path: socketPath }, 'show info\n');
      const line = info.split('\n').find((l) => l.startsWith('CurrConns:'));
      assert.ok(line, info);
      return Number(line.split(':')[1]);
    }

    it('Connection: close: the next client is served while the first still holds its socket', async () => {
      const first = await servedAndLeftOpen(fe, buildRequest('GET', '/a', { host: 'a.test', connection: 'close' }));
      assert.equal(await currConns(), 0);
      await assertSlotFree(fe);
      first.destroy();
    });

    it('HTTP/1.0 without keep-alive: the same', async () => {
      const first = await servedAndLeftOpen(fe, Buffer.from('GET /b HTTP/1.0\r\nHost: a.test\r\n\r\n', 'latin1'));
      assert.equal(await currConns(), 0);
      await assertSlotFree(fe);
      first.destroy();
    });

    it('option httpclose: the same', async () => {
      const first = await servedAndLeftOpen(feClose, buildRequest('GET', '/c', { host: 'a.test' }));
      assert.equal(await currConns(), 0);
      await assertSlotFree(feClose);
      first.destroy();
    });
  });
}
