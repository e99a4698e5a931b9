/**
 * Black-box conformance of `monitor-uri` and `monitor fail`: the proxy answers the monitor URI
 * itself (200 "Service ready.", or 503 when a `monitor fail` condition holds) before any rule,
 * matching an absolute-form target by its path, case-sensitively, on a kept-alive connection;
 * other requests go on as usual. Checked against HAProxy 2.6:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-monitor-uri.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['fe', 'failing', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    monitor-uri /health
    http-request deny if { path /health }
    default_backend be

frontend failing
    bind 127.0.0.1:${p.failing}
    monitor-uri /health
    acl app_down nbsrv(be) lt 2
    monitor fail if app_down
    default_backend be

backend be
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`monitor-uri on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      app = await appBackend(ports.app, 'app');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    it('answers 200 "Service ready." before the rules, keeping the connection', async () => {
      const conn = await HttpConnection.open(ports.fe);
      const res = await conn.request('GET', '/health');
      assert.equal(res.status, 200);
      assert.deepEqual(res.headers, [
        ['content-length', '58'],
        ['cache-control', 'no-cache'],
        ['content-type', 'text/html'],
      ]);
      assert.equal(res.body.toString(), '<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n');
      assert.equal((await conn.request('GET', '/health')).status, 200);
      conn.destroy();
    });

    it('matches the path of an absolute-form target, case-sensitively; other requests pass', async () => {
      const absolute = await HttpConnection.open(ports.fe);
      assert.equal((await absolute.request('GET', 'http://www.example.org/health', { host: 'www.example.org' })).status, 200);
      const other = await HttpConnection.open(ports.fe);
      assert.equal((await other.request('GET', '/hEAlth')).status, 200);
      // The query is part of the URI: no match, so the deny rule answers.
      assert.equal((await other.request('GET', '/health?x')).status, 403);
      other.destroy();
    });

    it('answers 503 while a monitor fail condition holds', async () => {
      const conn = await HttpConnection.open(ports.failing);
      const res = await conn.request('GET', '/health');
      assert.equal(res.status, 503);
      assert.match(res.body.toString(), /No server is available to handle this request/);
      const app = await HttpConnection.open(ports.failing);
      assert.equal((await app.request('GET', '/')).status, 200);
      app.destroy();
    });
  });
}
