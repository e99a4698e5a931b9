/**
 * `option http-pretend-keepalive` (HAProxy's PR_O2_FAKE_KA): in `option http-server-close` mode
 * the request to the server carries no `Connection: close` (an HTTP/1.0 request gets
 * `Connection: keep-alive`), and the server connection still closes after the response.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-pretend-keepalive.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

for (const target of TARGETS) {
  describe(`option http-pretend-keepalive on ${target}`, () => {
    let server: HttpTestBackend;
    let proxy: ProxyProcess | undefined;
    let pretendPort = 0;
    let plainPort = 0;

    before(async () => {
      const ports = await freePorts(3);
      [pretendPort, plainPort] = ports as [number, number];
      server = await httpBackend(ports[2] as number, 's', async ({ socket }) => {
        await writeAsync(socket, 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        return 'keep';
      });
      proxy = await startProxy(
        target,
        `${HTTP_DEFAULTS}
frontend pretend
    bind 127.0.0.1:${pretendPort}
    default_backend be-pretend
frontend plain
    bind 127.0.0.1:${plainPort}
    default_backend be-plain
backend be-pretend
    option http-server-close
    option http-pretend-keepalive
    server s 127.0.0.1:${server.port}
backend be-plain
    option http-server-close
    server s 127.0.0.1:${server.port}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await server.close();
    });

    /** The Connection header the server saw for one request on `port`. */
    async function connectionSeen(port: number, version: 'HTTP/1.1' | 'HTTP/1.0'): Promise<string | undefined> {
      const client = await HttpConnection.open(port);
      await client.write(`GET / ${version}\r\nhost: x\r\n${version === 'HTTP/1.0' ? 'connection: keep-alive\r\n' : ''}\r\n`);
      const response = await client.read();
      assert.equal(response.status, 200);
      client.destroy();
      const headers = server.lastRequest()?.headers ?? [];
      return headers.find(([name]) => name.toLowerCase() === 'connection')?.[1];
    }

    it('server-close alone: the server is told Connection: close', async () => {
      assert.equal(await connectionSeen(plainPort, 'HTTP/1.1'), 'close');
    });

    it('with pretend-keepalive: no close for HTTP/1.1, keep-alive for HTTP/1.0; the server connection still ends', async () => {
      assert.equal(await connectionSeen(pretendPort, 'HTTP/1.1'), undefined);
      assert.equal(await connectionSeen(pretendPort, 'HTTP/1.0'), 'keep-alive');
      assert.ok(await server.waitAllClosed(5_000), 'the proxy closed its server connections');
    });
  });
}
