/**
 * Black-box conformance of FastCGI applications (`fcgi-app` sections, `use-fcgi-app`, servers
 * with `proto fcgi`), against a small FastCGI responder of the test's own
 * (test/support/fcgi-responder.ts): the CGI parameters the application receives (HAProxy 2.6's
 * mux_fcgi.c), the HTTP response the client gets from its STDOUT (Status, Location, Date,
 * content-length or chunked), request bodies as STDIN, FCGI_KEEP_CONN and connection reuse.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/fcgi.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { startFcgiResponder, type FcgiResponder } from '../support/fcgi-responder.ts';

const PORT_NAMES = ['app', 'fe'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    use_backend be_close if { path_beg /close }
    default_backend be_app

backend be_app
    use-fcgi-app php
    server s1 127.0.0.1:${p.app} proto fcgi

backend be_close
    use-fcgi-app php_close
    server s1 127.0.0.1:${p.app} proto fcgi

fcgi-app php
    docroot /var/www
    index index.php
    path-info ^(/.+\\.php)(/.*)?$
    acl is_app path_beg /app
    set-param X_FROM_ACL yes if is_app
    set-param X_NOT_APP %[path] unless is_app
    set-param Z-Path %[path]
    pass-header Authorization
    log-stderr stdout format raw local0

fcgi-app php_close
    docroot /srv
    no option keep-conn
`;
}

/** The responder's echo: its PARAMS as NAME=VALUE lines, then STDIN=body. */
function echoed(text: string): { params: [string, string][]; stdin: string } {
  const at = text.lastIndexOf('STDIN=');
  const params = text
    .slice(0, at)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const eq = l.indexOf('=');
      return [l.slice(0, eq), l.slice(eq + 1)] as [string, string];
    });
  return { params, stdin: text.slice(at + 6) };
}

for (const target of TARGETS) {
  describe(`FastCGI applications on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let app: FcgiResponder;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await startFcgiResponder(p.app);
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    it('sends the CGI/1.1 parameters HAProxy computes, headers first, set-param values next, hidden headers left out', async () => {
      const conn = await HttpConnection.open(p.fe);
      const res = await conn.request('GET', '/app/b%20c.php/extra/path?q=1&r', {
        'X-my_hdr': 'dropped by http-restrict-req-hdr-names delete',
        'X-Ok': '1',
        Authorization: 'Basic Zm9vOmJhcg==',
        Connection: 'keep-alive',
        'Content-Type': 'text/x',
      });
      conn.destroy();
      assert.equal(res.status, 200, res.head.raw + res.text);
      assert.deepEqual(echoed(res.text).params, [
        ['HTTP_HOST', 'example.test'],
        ['HTTP_X_OK', '1'],
        ['HTTP_AUTHORIZATION', 'Basic Zm9vOmJhcg=='],
        ['CONTENT_TYPE', 'text/x'],
        ['AUTH_TYPE', 'Basic'],
        ['REMOTE_USER', 'foo'],
        ['X_FROM_ACL', 'yes'],
        ['Z_PATH', '/app/b%20c.php/extra/path'],
        ['GATEWAY_INTERFACE', 'CGI/1.1'],
        ['DOCUMENT_ROOT', '/var/www'],
        ['SCRIPT_NAME', '/app/b c.php'],
        ['PATH_INFO', '/extra/path'],
        ['REQUEST_URI', '/app/b%20c.php/extra/path?q=1&r'],
        ['REQUEST_METHOD', 'GET'],
        ['QUERY_STRING', 'q=1&r'],
        ['SERVER_NAME', 'example.test'],
        ['SERVER_PORT', String(p.fe)],
        ['SERVER_PROTOCOL', 'HTTP/1.1'],
        ['REMOTE_ADDR', '127.0.0.1'],
        ['SCRIPT_FILENAME', '/var/www/app/b c.php'],
        ['PATH_TRANSLATED', '/var/www/extra/path'],
        ['CONTENT_LENGTH', '0'],
      ]);
    });

    it("writes the application's response as HTTP/1.1: lowercase names, a date, a content-length when read whole", async () => {
      const conn = await HttpConnection.open(p.fe);
      const res = await conn.request('GET', '/dir/');
      conn.destroy();
      assert.equal(res.head.startLine, 'HTTP/1.1 200 OK');
      assert.deepEqual(
        res.headers.map(([n]) => n),
        ['content-type', 'x-app', 'date', 'content-length'],
      );
      assert.match(res.header('date') ?? '', /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
      assert.equal(res.header('content-length'), String(res.body.length));
      const params = new Map(echoed(res.text).params);
      assert.equal(params.get('SCRIPT_NAME'), '/dir/index.php', 'index after a trailing slash');
      assert.equal(params.get('X_NOT_APP'), '/dir/', 'unless: set when the ACL does not match');
      assert.equal(params.has('X_FROM_ACL'), false);
    });

    it('Status and Location set the status line', async () => {
      const conn = await HttpConnection.open(p.fe);
      const missing = await conn.request('GET', '/status.php');
      assert.equal(missing.head.startLine, 'HTTP/1.1 404 Not Found');
      assert.equal(missing.header('status'), undefined);
      assert.equal(missing.text, 'missing');
      const moved = await conn.request('GET', '/location.php');
      assert.equal(moved.head.startLine, 'HTTP/1.1 302 Moved Temporarily');
      assert.equal(moved.header('location'), '/elsewhere');
      conn.destroy();
    });

    it('a response whose end is not read with its head goes chunked', async () => {
      const conn = await HttpConnection.open(p.fe);
      const res = await conn.request('GET', '/slow.php');
      conn.destroy();
      assert.equal(res.framing, 'chunked');
      assert.equal(res.header('transfer-encoding'), 'chunked');
      assert.equal(res.text, 'first second');
    });

    it('request bodies go as STDIN; CONTENT_LENGTH is the header or the length of a chunked body', async () => {
      const conn = await HttpConnection.open(p.fe);
      const sized = echoed((await conn.request('POST', '/form.php', { 'Content-Type': 'text/plain' }, 'hello')).text);
      assert.equal(new Map(sized.params).get('CONTENT_LENGTH'), '5');
      assert.equal(sized.stdin, 'hello');
      await conn.write('POST /form.php HTTP/1.1\r\nhost: example.test\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n');
      const chunked = echoed((await conn.read('POST')).text);
      conn.destroy();
      assert.equal(new Map(chunked.params).get('CONTENT_LENGTH'), '7');
      assert.equal(chunked.stdin, 'abcdefg');
      assert.equal(new Map(chunked.params).has('HTTP_TRANSFER_ENCODING'), false, 'transfer-encoding is hidden');
    });

    it('Expect: 100-continue is answered by the proxy, which waits for the body (the FCGI filter waits for it)', async () => {
      const conn = await HttpConnection.open(p.fe);
      await conn.write('POST /form.php HTTP/1.1\r\nhost: example.test\r\nexpect: 100-continue\r\ncontent-length: 4\r\n\r\n');
      const interim = await conn.read('POST', 2000);
      assert.equal(interim.status, 100);
      await conn.write('body');
      const res = await conn.read('POST');
      conn.destroy();
      const got = echoed(res.text);
      assert.equal(got.stdin, 'body');
      assert.equal(new Map(got.params).has('HTTP_EXPECT'), false);
    });

    it('STDERR records go to the log-stderr targets and do not disturb the response', async () => {
      const conn = await HttpConnection.open(p.fe);
      const res = await conn.request('GET', '/stderr.php');
      conn.destroy();
      assert.equal(res.status, 200);
      assert.equal(new Map(echoed(res.text).params).get('SCRIPT_NAME'), '/stderr.php');
      const logged = await eventually(() => (proxy?.stdout ?? '').includes('a warning from the app\n'), 2000);
      assert.ok(logged, `stdout: ${JSON.stringify(proxy?.stdout)}`);
    });

    it('option keep-conn (the default) keeps the connection for the next request; without it the application closes', async () => {
      const kept = await HttpConnection.open(p.fe);
      const first = app.begins.length;
      await kept.request('GET', '/one.php');
      await kept.request('GET', '/two.php');
      kept.destroy();
      const [a, b] = app.begins.slice(first);
      assert.ok(a !== undefined && b !== undefined);
      assert.equal(a.keepConn, true);
      // An idle connection carries it (which one is the reuse policy's choice: HAProxy may take an older one).
      assert.ok(b.connection <= a.connection, `the second request rides an open connection (${a.connection}, ${b.connection})`);
      assert.equal(b.keepConn, true);

      const closing = await HttpConnection.open(p.fe);
      const start = app.begins.length;
      const r1 = await closing.request('GET', '/close/a.php');
      const r2 = await closing.request('GET', '/close/b.php');
      closing.destroy();
      assert.equal(r1.status, 200);
      assert.equal(r2.status, 200);
      assert.equal(new Map(echoed(r1.text).params).get('DOCUMENT_ROOT'), '/srv');
      const [c, d] = app.begins.slice(start);
      assert.ok(c !== undefined && d !== undefined);
      assert.equal(c.keepConn, false);
      assert.notEqual(d.connection, c.connection);
    });
  });
}
