/**
 * Black-box conformance of where the HTTP/1 connection header goes when `http-after-response`
 * rules add headers: HAProxy 2.6's H1 mux writes `connection: close` / `keep-alive` at the end
 * of the head (h1_process_mux, at the end of the headers), after everything the rules added,
 * for the replies the proxy generates (deny, return, redirect, error pages) as for forwarded
 * responses; the names the rules add go out in lower case (HAProxy's HTX holds them so).
 * The heads are compared byte for byte.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-after-response-connection.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { destroyAllClients, exchange } from '../support/http-client.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cannedBackend, type HttpTestBackend } from '../support/http-backends.ts';

const PORT_NAMES = ['fe', 'close', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${p.fe}
    http-request deny if { path /deny }
    http-request return status 200 content-type text/plain string hi if { path /return }
    http-request redirect location /x if { path /redirect }
    http-after-response set-header X-A 1
    http-after-response add-header X-B 2
    default_backend be

frontend fe_close
    bind 127.0.0.1:${p.close}
    option httpclose
    http-request deny if { path /deny }
    http-after-response set-header X-A 1
    default_backend be

backend be
    server s1 127.0.0.1:${p.app}
`;
}

const DENY_HEAD = 'HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n';

for (const target of TARGETS) {
  describe(`connection header after http-after-response headers on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend | undefined;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await cannedBackend(ports.app, 'app', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 'keep');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app?.close();
    });

    async function head(port: number, request: string): Promise<{ raw: string; closed: boolean }> {
      const { response, closed } = await exchange(port, request, 'GET', 5000, 200);
      return { raw: response.head.raw, closed };
    }

    it('a deny closing on Connection: close, or for an HTTP/1.0 client, says so after the added headers', async () => {
      assert.deepEqual(await head(ports.fe, 'GET /deny HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n'), {
        raw: `${DENY_HEAD}x-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n`,
        closed: true,
      });
      assert.deepEqual(await head(ports.fe, 'GET /deny HTTP/1.0\r\n\r\n'), { raw: `${DENY_HEAD}x-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n`, closed: true });
    });

    it('an HTTP/1.0 client keeping its connection gets connection: keep-alive last', async () => {
      assert.deepEqual(await head(ports.fe, 'GET /deny HTTP/1.0\r\nconnection: keep-alive\r\n\r\n'), {
        raw: `${DENY_HEAD}x-a: 1\r\nx-b: 2\r\nconnection: keep-alive\r\n\r\n`,
        closed: false,
      });
    });

    it('return and redirect replies too; a keep-alive HTTP/1.1 client gets no connection header', async () => {
      assert.deepEqual(await head(ports.fe, 'GET /return HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n'), {
        raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\nx-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n',
        closed: true,
      });
      assert.deepEqual(await head(ports.fe, 'GET /redirect HTTP/1.0\r\n\r\n'), {
        raw: 'HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\nx-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n',
        closed: true,
      });
      assert.deepEqual(await head(ports.fe, 'GET /redirect HTTP/1.1\r\nhost: a\r\n\r\n'), {
        raw: 'HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\nx-a: 1\r\nx-b: 2\r\n\r\n',
        closed: false,
      });
    });

    it('with option httpclose, the deny closes after connection: close written last', async () => {
      assert.deepEqual(await head(ports.close, 'GET /deny HTTP/1.1\r\nhost: a\r\n\r\n'), { raw: `${DENY_HEAD}x-a: 1\r\nconnection: close\r\n\r\n`, closed: true });
    });

    it('a forwarded response gets its connection header after the added ones as well', async () => {
      assert.deepEqual(await head(ports.fe, 'GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n'), {
        raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n',
        closed: true,
      });
      assert.deepEqual(await head(ports.close, 'GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n'), {
        raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-a: 1\r\nconnection: close\r\n\r\n',
        closed: true,
      });
    });
  });
}
