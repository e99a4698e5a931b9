/**
 * Black-box conformance of error pages: `errorfile`, `errorloc302`, `errorfiles` with an
 * `http-errors` section, errorfiles inherited from `defaults`, and the file payloads of
 * `http-request deny|return` (`errorfile`, `errorfiles`, `file`, `lf-file`).
 *
 * Every reply is compared byte for byte with what HAProxy 2.6 sends: an errorfile goes out
 * re-serialised by its H1 mux (lower-case names, `keep-alive`/`close` taken out of
 * Connection, the file's HTTP/1.0 status line kept, `connection: close|keep-alive` added as
 * for any reply), an empty one closes without a byte, and the errors HAProxy's H1 mux answers
 * itself (an invalid request head) keep the built-in page.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-errorfiles.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, garbageBackend, silentBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import type { HttpResponse } from '../support/http-wire.ts';

const PORT_NAMES = ['main', 'site', 'app', 'closed', 'silent', 'junk'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

const F = `${repoRoot}test/fixtures/errorfiles`;

function configFor(p: Ports): string {
  return `
global
    maxconn 1000

http-errors site
    errorfile 404 ${F}/404-site.http
    errorfile 503 ${F}/503-site.http

defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    timeout http-request 5s
    errorfile 502 ${F}/502-defaults.http

frontend fe
    bind 127.0.0.1:${p.main}
    errorfile 503 ${F}/503.http
    errorfile 403 ${F}/403.http
    errorfile 400 ${F}/400.http
    errorfile 500 ${F}/empty.http
    http-request deny if { path /deny }
    http-request deny deny_status 403 errorfile ${F}/403-rule.http if { path /deny-file }
    http-request deny deny_status 500 if { path /deny-empty }
    http-request deny deny_status 404 errorfiles site if { path /section }
    http-request return status 503 errorfile ${F}/latin1.http if { path /latin1 }
    http-request return status 200 content-type "text/plain; charset=iso-8859-1" file ${F}/payload.txt if { path /file }
    http-request return status 200 content-type text/plain lf-file ${F}/page.lf hdr x-path %[path] if { path /lf-file }
    use_backend be_own if { path_beg /own }
    use_backend be_down if { path_beg /down }
    use_backend be_moved if { path_beg /moved }
    use_backend be_slow if { path_beg /slow }
    use_backend be_junk if { path_beg /junk }
    default_backend be_app

frontend fe_site
    bind 127.0.0.1:${p.site}
    errorfiles site
    http-request deny deny_status 404 if { path /missing }
    default_backend be_down

backend be_app
    server s1 127.0.0.1:${p.app}

backend be_down
    retries 0
    server s1 127.0.0.1:${p.closed}

backend be_own
    retries 0
    errorfile 503 ${F}/503-backend.http
    server s1 127.0.0.1:${p.closed}

backend be_moved
    retries 0
    errorloc302 503 http://example.test/maintenance
    server s1 127.0.0.1:${p.closed}

backend be_slow
    timeout server 300ms
    errorfile 504 ${F}/504-nolen.http
    server s1 127.0.0.1:${p.silent}

backend be_junk
    server s1 127.0.0.1:${p.junk}
`;
}

/** The response exactly as it came on the wire (head and body). */
function wire(res: HttpResponse): string {
  return res.head.raw + res.body.toString('latin1');
}

/** errorfile 503 of the frontend: HTTP/1.0 and `Connection: close` in the file. */
const FRONTEND_503 =
  'HTTP/1.0 503 Service Unavailable\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nx-err-type: frontend\r\n' +
  'content-length: 25\r\n\r\n<h1>Back in a minute</h1>';
const BACKEND_503 = 'HTTP/1.1 503 Busy\r\ncontent-type: text/plain\r\ncontent-length: 5\r\nx-err-type: backend\r\n\r\nbusy\n';
const FRONTEND_403 = 'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: x-seen\r\ncontent-length: 7\r\nx-err-type: frontend\r\n\r\nnot you';

for (const target of TARGETS) {
  describe(`errorfiles on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(await appBackend(ports.app, 'app'), await silentBackend(ports.silent), await garbageBackend(ports.junk));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('503 with the frontend’s errorfile: an HTTP/1.0 file that says close is sent as HTTP/1.0 and closes', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(wire(await conn.request('GET', '/down')), FRONTEND_503);
      assert.equal(await conn.waitClosed(2000), true);
    });

    it('503 with the backend’s own errorfile, which wins over the frontend’s; keep-alive as for any reply', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(wire(await conn.request('GET', '/own')), BACKEND_503);
      assert.equal(wire(await conn.request('GET', '/own')), BACKEND_503);
      assert.equal(conn.closed, false);
      conn.destroy();

      const old = await HttpConnection.open(ports.main);
      await old.write('GET /own HTTP/1.0\r\nconnection: keep-alive\r\n\r\n');
      assert.equal(wire(await old.read()), BACKEND_503.replace('\r\n\r\n', '\r\nconnection: keep-alive\r\n\r\n'));
      await old.write('GET /own HTTP/1.0\r\n\r\n');
      assert.equal(wire(await old.read()), BACKEND_503.replace('\r\n\r\n', '\r\nconnection: close\r\n\r\n'));
      assert.equal(await old.waitClosed(2000), true);
    });

    it('deny takes the proxy’s errorfile for its status; Connection keep-alive/close tokens are taken out', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(wire(await conn.request('GET', '/deny')), FRONTEND_403);
      const head = await conn.request('HEAD', '/deny');
      assert.equal(head.head.raw, FRONTEND_403.slice(0, FRONTEND_403.indexOf('\r\n\r\n') + 4), 'HEAD: the head only');
      assert.equal(conn.closed, false);
      conn.destroy();
    });

    it('deny with an errorfile argument; an empty errorfile answers nothing and closes', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(
        wire(await conn.request('GET', '/deny-file')),
        'HTTP/1.1 403 Go Away\r\ncontent-length: 8\r\ncontent-type: text/plain\r\nx-err-type: rule\r\n\r\ngo away\n',
      );
      await conn.write('GET /deny-empty HTTP/1.1\r\nhost: x\r\n\r\n');
      assert.equal((await conn.readRest(2000)).length, 0);
      assert.equal(conn.closed, true);
    });

    it('deny with errorfiles NAME takes the http-errors section’s page', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(wire(await conn.request('GET', '/section')), 'HTTP/1.1 404 Not Found\r\ncontent-length: 10\r\nx-err-type: site\r\n\r\nnot here!\n');
      conn.destroy();
    });

    it('errorfiles NAME in a proxy: the section answers for deny and for the 503 the proxy generates', async () => {
      const conn = await HttpConnection.open(ports.site);
      assert.equal(wire(await conn.request('GET', '/missing')), 'HTTP/1.1 404 Not Found\r\ncontent-length: 10\r\nx-err-type: site\r\n\r\nnot here!\n');
      assert.equal(wire(await conn.request('GET', '/')), 'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 12\r\nx-err-type: site\r\n\r\nmaintenance\n');
      conn.destroy();
    });

    it('return with file (bytes as they are) and lf-file (a log-format read from a file)', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(
        wire(await conn.request('GET', '/file')),
        'HTTP/1.1 200 OK\r\ncontent-length: 31\r\ncontent-type: text/plain; charset=iso-8859-1\r\n\r\nplain payload, sent as it is \xe9\n',
      );
      assert.equal(
        wire(await conn.request('GET', '/lf-file')),
        'HTTP/1.1 200 OK\r\nx-path: /lf-file\r\ncontent-length: 42\r\ncontent-type: text/plain\r\n\r\nThe path "/lf-file" is served from a file\n',
      );
      assert.equal(
        wire(await conn.request('GET', '/latin1')),
        'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=iso-8859-1\r\ncontent-length: 7\r\n\r\ncaf\xe9 \xff\n',
      );
      conn.destroy();
    });

    it('errorloc302: the error becomes a redirect', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(
        wire(await conn.request('GET', '/moved')),
        'HTTP/1.1 302 Found\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: http://example.test/maintenance\r\n\r\n',
      );
      assert.equal(conn.closed, false);
      conn.destroy();
    });

    it('504 with an errorfile without Content-Length: the payload ends with the connection', async () => {
      const conn = await HttpConnection.open(ports.main);
      await conn.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n');
      assert.equal(
        (await conn.readRest(3000)).toString('latin1'),
        'HTTP/1.1 504 Too Slow\r\nx-err-type: backend\r\nconnection: close\r\n\r\nthe server is too slow\n',
      );
    });

    it('502 with the errorfile inherited from defaults', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(wire(await conn.request('GET', '/junk')), 'HTTP/1.1 502 Bad Gateway\r\ncontent-length: 12\r\nx-err-type: defaults\r\n\r\nbad gateway\n');
      conn.destroy();
    });

    it('400: an invalid request head gets the built-in page; an invalid body once the request is in flight gets the errorfile', async () => {
      const head = await HttpConnection.open(ports.main);
      await head.write('GET /\x01 HTTP/1.1\r\nhost: x\r\n\r\n');
      assert.equal(
        (await head.readRest(2000)).toString('latin1'),
        'HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n' +
          '<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n',
      );

      const body = await HttpConnection.open(ports.main);
      await body.write('POST /slow HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n');
      await delay(100);
      await body.write('ZZ\r\n');
      assert.equal(
        (await body.readRest(2000)).toString('latin1'),
        'HTTP/1.1 400 Bad Request\r\ncontent-length: 4\r\nx-err-type: frontend\r\nconnection: close\r\n\r\nbad\n',
      );
    });
  });
}
