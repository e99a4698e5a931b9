/**
 * `option idle-close-on-response`: a soft stop (SIGUSR1, a reload's old worker) leaves the idle
 * keep-alive HTTP/1 connections open; the next request on one is answered with
 * `connection: close`, then the connection closes. Without the option they are closed.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/idle-close-on-response.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS } from '../support/http-suite.ts';
import { headerHasToken } from '../support/http-wire.ts';

function configWith(option: string, port: number): string {
  return `global
    hard-stop-after 30s
defaults
    mode http
    timeout connect 500ms
    timeout client 30s
    timeout server 30s
    timeout http-request 30s
    timeout http-keep-alive 30s
frontend fe
    bind 127.0.0.1:${port}
${option}
    http-request return status 200 content-type text/plain string ok
`;
}

async function keptAlive(port: number): Promise<HttpConnection> {
  const conn = await HttpConnection.open(port);
  const res = await conn.request('GET', '/');
  assert.equal(res.status, 200);
  assert.equal(headerHasToken(res.headers, 'connection', 'close'), false);
  return conn;
}

for (const target of TARGETS) {
  describe(`option idle-close-on-response on ${target}`, () => {
    it('SIGUSR1: the idle connection stays open; its next response says connection: close', async () => {
      const [port] = (await freePorts(1)) as [number];
      const proxy = await ProxyProcess.start(target, configWith('    option idle-close-on-response', port), [], 20_000, port);
      try {
        const conn = await keptAlive(port);
        proxy.child.kill('SIGUSR1');
        // Well past the moment idle connections close without the option (at once, or 100 ms).
        assert.equal(await conn.waitClosed(1500), false, 'the idle connection was closed by the soft stop');
        const res = await conn.request('GET', '/', {}, undefined, 5000);
        assert.equal(res.status, 200);
        assert.equal(headerHasToken(res.headers, 'connection', 'close'), true, 'no connection: close after the soft stop');
        assert.ok(await conn.waitClosed(5000), 'still open after connection: close');
        // As a client does once the server closed (Switchyard waits for its FIN, HAProxy may not).
        conn.socket.end();
        const code = await Promise.race([proxy.exited(), new Promise<'late'>((r) => setTimeout(() => r('late'), 15_000))]);
        assert.notEqual(code, 'late', 'the process did not exit once its last connection closed');
      } finally {
        destroyAllClients();
        await proxy.stop();
      }
    });

    it('without it, SIGUSR1 closes the idle connection', async () => {
      const [port] = (await freePorts(1)) as [number];
      const proxy = await ProxyProcess.start(target, configWith('', port), [], 20_000, port);
      try {
        const conn = await keptAlive(port);
        proxy.child.kill('SIGUSR1');
        assert.ok(await conn.waitClosed(5000), 'the idle connection stayed open');
      } finally {
        destroyAllClients();
        await proxy.stop();
      }
    });
  });
}
