/**
 * Black-box conformance of the final HTTP actions and content switching: `http-request
 * allow|deny|return|redirect`, the `redirect` keyword, `http-response deny|return`,
 * `use_backend` (static, conditional, dynamic with a fallback to `default_backend`) in http and
 * tcp frontends, and the HTTPS recipe users copy:
 *
 *   http-request redirect scheme https unless { ssl_fc }
 *   use_backend api_servers if { path_beg /api }
 *
 * Local replies are compared byte for byte with what HAProxy 2.6 sends (status line, header
 * names, order and values, `connection: close` when the request body was not received whole,
 * keep-alive otherwise).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-actions.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { namedServer, type TestBackend } from '../support/tcp-backends.ts';
import { fetchLine } from '../support/tcp-client.ts';
import type { HttpResponse } from '../support/http-wire.ts';

const PORT_NAMES = ['main', 'http', 'https', 'tcpA', 'tcpB', 'api', 'host', 'green', 'dflt', 'tcpOne', 'tcpTwo', 'after', 'dead', 'upgrade', 'tcpHttp'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  const fixtures = `${repoRoot}test/fixtures/tls`;
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.main}
    acl is_api path_beg /api
    http-request deny if { path /deny }
    http-request deny deny_status 429 if { path /deny429 }
    http-request return status 200 content-type text/plain string "hello" hdr X-A b if { path /ret }
    http-request return status 201 content-type text/plain lf-string "asked %[path] via %[req.hdr(x-via)]" hdr X-Path %[path] if { path /lf }
    http-request return if { path /empty }
    http-request redirect location /new if { path /loc }
    http-request redirect prefix /p code 301 if { path_beg /pre }
    http-request redirect scheme https drop-query append-slash if { path_beg /sch }
    http-request redirect location /x set-cookie FOO=bar if { path /ck }
    http-request redirect location /gone clear-cookie FOO= code 308 if { path /clear }
    http-request allow if { path /allowed }
    http-request deny if { path /allowed }
    redirect location /legacy code 303 if { path /old }
    use_backend be_api if is_api
    use_backend be_%[req.hdr(x-pool)] if { req.hdr(x-pool) -m found }
    use_backend be_host if { hdr(host) -i host.test }
    default_backend be_default

frontend fe_site
    bind 127.0.0.1:${p.http}
    bind 127.0.0.1:${p.https} ssl crt ${fixtures}/a.example.pem
    http-request redirect scheme https unless { ssl_fc }
    use_backend be_api if { path_beg /api }
    default_backend be_default

backend be_api
    server s1 127.0.0.1:${p.api}

backend be_host
    server s1 127.0.0.1:${p.host}

backend be_green
    server s1 127.0.0.1:${p.green}

backend be_default
    http-request deny deny_status 403 if { path /be-deny }
    http-request set-header X-Default yes
    http-response deny if { status 404 }
    http-response return status 200 content-type text/plain string "replaced" if { status 410 }
    server s1 127.0.0.1:${p.dflt}

frontend fe_after
    bind 127.0.0.1:${p.after}
    timeout tarpit 400ms
    http-request tarpit if { path /tarpit }
    http-request tarpit deny_status 429 if { path /tarpit429 }
    http-request deny if { path /deny }
    http-request redirect location /elsewhere if { path /redir }
    use_backend be_dead if { path /dead }
    use_backend be_slow if { path_beg /slow/ }
    use_backend be_pinned if { path_beg /pinned }
    use_backend be_useserver if { path_beg /useserver }
    http-after-response set-header X-After fe-%[status]
    http-after-response allow if { status 302 }
    http-after-response add-header X-Not-For-Redirects 1
    default_backend be_after

backend be_after
    http-response set-status 299 reason "Rewritten" if { status 201 }
    http-response set-header X-Seen-Status %[status]
    http-after-response set-status 203 if { status 200 }
    http-after-response set-header X-Be-After %[status]
    server s1 127.0.0.1:${p.dflt}

backend be_pinned
    balance hdr(x-pick)
    http-request set-header X-Pick pinned
    server a 127.0.0.1:${p.api}
    server b 127.0.0.1:${p.green}
    server c 127.0.0.1:${p.host}

backend be_useserver
    balance roundrobin
    use-server b if { req.hdr(x-srv) b }
    use-server off if { req.hdr(x-srv) off }
    server a 127.0.0.1:${p.api}
    server b 127.0.0.1:${p.green}
    server off 127.0.0.1:${p.dead} disabled

backend be_slow
    timeout server 5s
    http-request set-timeout server 300ms unless { req.hdr(x-timeout) -m found }
    http-request set-timeout server req.hdr(x-timeout) if { req.hdr(x-timeout) -m found }
    server s1 127.0.0.1:${p.dflt}

backend be_dead
    timeout connect 100ms
    retries 0
    server s1 127.0.0.1:${p.dead}

frontend fe_tcp
    mode tcp
    bind 127.0.0.1:${p.tcpA}
    bind 127.0.0.1:${p.tcpB}
    bind 127.0.0.1:${p.tcpHttp}
    use_backend be_tcp_two if { dst_port ${p.tcpB} }
    use_backend be_api if { dst_port ${p.tcpHttp} }
    default_backend be_tcp_one

frontend fe_tcp_upgrade
    mode tcp
    bind 127.0.0.1:${p.upgrade}
    default_backend be_default

backend be_tcp_one
    mode tcp
    server s1 127.0.0.1:${p.tcpOne}

backend be_tcp_two
    mode tcp
    server s1 127.0.0.1:${p.tcpTwo}
`;
}

/** The response exactly as it came on the wire (head and body). */
function wire(res: HttpResponse): string {
  return res.head.raw + res.body.toString('latin1');
}

const FORBIDDEN =
  'HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n' +
  '<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n';

for (const target of TARGETS) {
  describe(`HTTP actions and content switching on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: (HttpTestBackend | TestBackend)[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(
        await appBackend(ports.api, 'api'),
        await appBackend(ports.host, 'host'),
        await appBackend(ports.green, 'green'),
        await appBackend(ports.dflt, 'default'),
        await namedServer(ports.tcpOne, 'tcp-one'),
        await namedServer(ports.tcpTwo, 'tcp-two'),
      );
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('deny: HAProxy’s 403 page, byte for byte, and the connection stays open', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(wire(await conn.request('GET', '/deny')), FORBIDDEN);
      const next = await conn.request('GET', '/deny429');
      assert.equal(
        wire(next),
        'HTTP/1.1 429 Too Many Requests\r\ncontent-length: 117\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n' +
          '<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n',
      );
      assert.equal(conn.closed, false);
      conn.destroy();
    });

    it('return: status, hdr, content-type and payload in HAProxy’s order; log-format payloads', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(wire(await conn.request('GET', '/ret')), 'HTTP/1.1 200 OK\r\nx-a: b\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nhello');
      assert.equal(
        wire(await conn.request('GET', '/lf', { 'x-via': 'probe' })),
        'HTTP/1.1 201 Created\r\nx-path: /lf\r\ncontent-length: 19\r\ncontent-type: text/plain\r\n\r\nasked /lf via probe',
      );
      assert.equal(wire(await conn.request('GET', '/empty')), 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      conn.destroy();
    });

    it('redirect: location, prefix, scheme (drop-query, append-slash), cookies, codes; the legacy keyword', async () => {
      const conn = await HttpConnection.open(ports.main);
      const cases: [string, string][] = [
        ['/loc', 'HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /new\r\ncache-control: no-cache\r\n\r\n'],
        ['/pre/a?b=1', 'HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: /p/pre/a?b=1\r\n\r\n'],
        ['/sch/x?q=1', 'HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://example.test/sch/x/\r\ncache-control: no-cache\r\n\r\n'],
        ['/ck', 'HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\nset-cookie: FOO=bar; path=/;\r\n\r\n'],
        ['/clear', 'HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\nlocation: /gone\r\nset-cookie: FOO=; path=/; Max-Age=0;\r\n\r\n'],
        ['/old', 'HTTP/1.1 303 See Other\r\ncontent-length: 0\r\nlocation: /legacy\r\ncache-control: no-cache\r\n\r\n'],
      ];
      for (const [path, expected] of cases) assert.equal(wire(await conn.request('GET', path)), expected, path);
      conn.destroy();
    });

    it('a reply before the request body arrived whole closes the connection; a whole one keeps it', async () => {
      const partial = await HttpConnection.open(ports.main);
      await partial.write('POST /deny HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nhello');
      const res = await partial.read();
      assert.equal(wire(res), FORBIDDEN.replace('content-type: text/html\r\n', 'content-type: text/html\r\nconnection: close\r\n'));
      assert.equal(await partial.waitClosed(2000), true);

      const whole = await HttpConnection.open(ports.main);
      await whole.write('POST /deny HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhelloGET /empty HTTP/1.1\r\nhost: x\r\n\r\n');
      assert.equal(wire(await whole.read()), FORBIDDEN);
      assert.equal(wire(await whole.read()), 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      whole.destroy();

      const old = await HttpConnection.open(ports.main);
      await old.write('GET /empty HTTP/1.0\r\nhost: x\r\n\r\n');
      assert.equal(wire(await old.read()), 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      old.destroy();
    });

    it('allow stops the frontend’s rules; the request reaches the default backend and its rules', async () => {
      const conn = await HttpConnection.open(ports.main);
      const res = await conn.request('GET', '/allowed');
      assert.equal(res.status, 200);
      assert.equal(res.header('x-backend'), 'default');
      assert.match(res.text, /x-default: yes/i);
      assert.equal(wire(await conn.request('GET', '/be-deny')), FORBIDDEN);
      conn.destroy();
    });

    it('use_backend: by path, by Host, by a dynamic name; an unknown dynamic name falls back to default_backend', async () => {
      const conn = await HttpConnection.open(ports.main);
      const seen = async (path: string, headers: Record<string, string> = {}) => (await conn.request('GET', path, headers)).header('x-backend');
      assert.equal(await seen('/api/users'), 'api');
      assert.equal(await seen('/', { host: 'HOST.test' }), 'host');
      assert.equal(await seen('/', { 'x-pool': 'green' }), 'green');
      assert.equal(await seen('/', { 'x-pool': 'nosuch' }), 'default');
      // One connection, per-request switching: back and forth.
      assert.equal(await seen('/api/again'), 'api');
      assert.equal(await seen('/'), 'default');
      conn.destroy();
    });

    it('http-response deny and return replace the server’s answer', async () => {
      const conn = await HttpConnection.open(ports.main);
      const denied = await conn.request('GET', '/status/404');
      assert.equal(denied.status, 502);
      assert.equal(denied.header('content-type'), 'text/html');
      const conn2 = await HttpConnection.open(ports.main);
      const replaced = await conn2.request('GET', '/status/410');
      assert.equal(wire(replaced), 'HTTP/1.1 200 OK\r\ncontent-length: 8\r\ncontent-type: text/plain\r\n\r\nreplaced');
      conn.destroy();
      conn2.destroy();
    });

    it('the HTTPS recipe as written: plain HTTP is redirected, TLS is served and switched', async () => {
      const plain = await HttpConnection.open(ports.http);
      assert.equal(
        wire(await plain.request('GET', '/api/x?y=1', { host: 'www.example.test' })),
        'HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://www.example.test/api/x?y=1\r\ncache-control: no-cache\r\n\r\n',
      );
      plain.destroy();
      const secure = await HttpConnection.open(ports.https, { tls: true, servername: 'a.example' });
      assert.equal((await secure.request('GET', '/api/x')).header('x-backend'), 'api');
      assert.equal((await secure.request('GET', '/home')).header('x-backend'), 'default');
      secure.destroy();
    });

    it('use_backend in a tcp frontend, on what the connection shows (dst_port)', async () => {
      assert.equal((await fetchLine(ports.tcpA)).trim(), 'tcp-one');
      assert.equal((await fetchLine(ports.tcpB)).trim(), 'tcp-two');
    });

    it('http-after-response: on server responses (after http-response rules, set-status), on replies and errors', async () => {
      const conn = await HttpConnection.open(ports.after);
      const ok = await conn.request('GET', '/');
      assert.equal(ok.status, 203);
      assert.equal(ok.reason, 'Non-Authoritative Information');
      assert.equal(ok.header('x-be-after'), '203');
      assert.equal(ok.header('x-after'), 'fe-203');
      const created = await conn.request('GET', '/status/201');
      assert.equal(created.status, 299);
      assert.equal(created.reason, 'Rewritten');
      assert.equal(created.header('x-seen-status'), '299');
      assert.equal(created.header('x-after'), 'fe-299');
      const denied = await conn.request('GET', '/deny');
      assert.equal(denied.status, 403);
      assert.equal(denied.header('x-after'), 'fe-403');
      assert.equal(denied.header('x-not-for-redirects'), '1');
      assert.equal(denied.header('x-be-after'), undefined, 'no backend was chosen');
      const redirected = await conn.request('GET', '/redir');
      assert.equal(redirected.status, 302);
      assert.equal(redirected.header('x-after'), 'fe-302');
      assert.equal(redirected.header('x-not-for-redirects'), undefined, 'allow stopped the list');
      conn.destroy();
      const dead = await HttpConnection.open(ports.after);
      const unavailable = await dead.request('GET', '/dead');
      assert.equal(unavailable.status, 503);
      assert.equal(unavailable.header('x-after'), 'fe-503');
      dead.destroy();
      // A request the H1 layer cannot parse is answered before any stream exists: HAProxy's
      // raw 400, which no http-after-response rule sees.
      const bad = await HttpConnection.open(ports.after);
      await bad.write('GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n');
      const invalid = await bad.read();
      assert.equal(invalid.status, 400);
      assert.equal(invalid.header('x-after'), undefined, invalid.head.raw);
      bad.destroy();
    });

    it('set-timeout server: a constant or an expression replaces the backend’s timeout for the transaction', async () => {
      const conn = await HttpConnection.open(ports.after);
      const started = performance.now();
      const res = await conn.request('GET', '/slow/2000');
      const elapsed = performance.now() - started;
      assert.equal(res.status, 504);
      assert.ok(elapsed < 1500, `answered after ${Math.round(elapsed)} ms, not after the backend's 5 s`);
      conn.destroy();
      const conn2 = await HttpConnection.open(ports.after);
      const started2 = performance.now();
      assert.equal((await conn2.request('GET', '/slow/2000', { 'x-timeout': '400' })).status, 504);
      assert.ok(performance.now() - started2 < 1500);
      conn2.destroy();
    });

    it('balancing reads the request as the rules edited it (balance hdr() after set-header)', async () => {
      const conn = await HttpConnection.open(ports.after);
      const seen = new Set<string | undefined>();
      for (const pick of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) seen.add((await conn.request('GET', '/pinned', { 'x-pick': pick })).header('x-backend'));
      assert.equal(seen.size, 1, `served by ${[...seen].join(', ')}`);
      conn.destroy();
    });

    it('tarpit: the request is held for timeout tarpit, then answered (500 by default); the connection stays open', async () => {
      for (const [path, status] of [['/tarpit', 500], ['/tarpit429', 429]] as const) {
        const conn = await HttpConnection.open(ports.after);
        const started = performance.now();
        const res = await conn.request('GET', path);
        const elapsed = performance.now() - started;
        assert.equal(res.status, status);
        assert.equal(res.header('connection'), undefined);
        assert.ok(elapsed >= 350 && elapsed < 3000, `answered after ${Math.round(elapsed)} ms`);
        assert.equal((await conn.request('GET', '/')).status, 203, 'the next request is served');
        conn.destroy();
      }
    });

    it('use-server picks the server; a rule naming a stopped server lets the balancer choose', async () => {
      const conn = await HttpConnection.open(ports.after);
      for (let i = 0; i < 4; i++) assert.equal((await conn.request('GET', '/useserver', { 'x-srv': 'b' })).header('x-backend'), 'green');
      const others = new Set<string | undefined>();
      for (let i = 0; i < 4; i++) others.add((await conn.request('GET', '/useserver', { 'x-srv': 'off' })).header('x-backend'));
      assert.deepEqual([...others].sort(), ['api', 'green']);
      conn.destroy();
    });

    it('a tcp frontend whose use_backend rule picks an http backend is upgraded to HTTP', async () => {
      const conn = await HttpConnection.open(ports.tcpHttp);
      for (let i = 0; i < 2; i++) {
        const res = await conn.request('GET', '/x');
        assert.equal(res.status, 200);
        assert.equal(res.header('x-backend'), 'api');
      }
      conn.destroy();
    });

    it('a tcp frontend with an http default backend is upgraded to HTTP (keep-alive, backend rules)', async () => {
      const conn = await HttpConnection.open(ports.upgrade);
      const first = await conn.request('GET', '/one');
      assert.equal(first.status, 200);
      assert.equal(first.header('x-backend'), 'default');
      assert.match(first.text, /x-default: yes/i);
      assert.equal(wire(await conn.request('GET', '/be-deny')), FORBIDDEN);
      assert.equal((await conn.request('GET', '/two')).status, 200);
      conn.destroy();
    });
  });
}
