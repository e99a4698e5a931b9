/**
 * Black-box conformance of variables and request-line rewrites:
 *
 * - `set-var`, `set-var-fmt`, `unset-var` with the proc (global `set-var`), sess, txn, req and
 *   res scopes and their lifetimes (sess across keep-alive requests, txn for one transaction,
 *   req until a server is wanted, res on the response), conditions, typed variables in ACLs,
 *   `var()` in log-format values and `use_backend`, the `set-var` converter;
 * - `set-method`, `set-path`, `set-pathq`, `set-query`, `set-uri`, `replace-path`,
 *   `replace-pathq`, `replace-uri`: what the server receives, what later fetches and
 *   `use_backend` see, the absolute form, the log line (the request as received);
 * - `normalize-uri` (experimental in HAProxy 2.6), with the 400 of a strict normalizer.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-vars.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['vars', 'line', 'norm', 'a', 'b'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 100
    expose-experimental-directives
    set-var proc.greeting str(hello)
    set-var-fmt proc.who "%[var(proc.greeting)] world"
    set-var proc.limit int(42)
${HTTP_DEFAULTS}
frontend fe_vars
    bind 127.0.0.1:${p.vars}
    http-request set-var(sess.first,ifnotexists) path
    http-request set-var(txn.path) path
    http-request set-var(req.method) method
    http-request set-var(txn.flag) bool(true)
    http-request set-var(txn.num) int(42)
    http-request set-var(txn.ip) src
    http-request set-var-fmt(txn.fmt) "%[var(txn.path)]@%[var(req.method)]"
    http-request unset-var(txn.num) if { path /unset }
    http-request set-var(txn.cond,ifexists) str(never)
    http-request set-var(txn.pool) req.hdr(x-pool)
    http-request set-var(txn.empty) req.hdr(x-absent)
    acl flag var(txn.flag) -m bool
    acl is42 var(txn.num) -m int eq 42
    acl local var(txn.ip) -m ip 127.0.0.0/8
    http-request set-header X-Vars "sess=%[var(sess.first)] txn=%[var(txn.path)] req=%[var(req.method)] fmt=%[var(txn.fmt)] num=%[var(txn.num)] cond=%[var(txn.cond,none)] empty=%[var(txn.empty,none)] proc=%[var(proc.who)] limit=%[var(proc.limit)]"
    http-request set-header X-Typed "flag is42 local" if flag is42 local
    http-request set-header X-Conv "%[req.hdr(x-in),lower,set-var(txn.conv)] then %[var(txn.conv)]"
    http-request set-var(txn.key) req.hdr(x-key) if { path_beg /hash }
    use_backend be_hash if { path_beg /hash }
    use_backend be_%[var(txn.pool)] if { var(txn.pool) -m found }
    default_backend be_a
    http-response set-header X-Res "txn=%[var(txn.path)] req=%[var(req.method)] res=%[var(res.status)] late=%[var(req.late,absent)]"

frontend fe_line
    bind 127.0.0.1:${p.line}
    log stdout format raw local0
    option httplog
    http-request set-var(txn.before) url
    http-request set-path /v2%[path] if { path_beg /api }
    http-request set-query %[query]&added=1 if { path_beg /v2/api/q }
    http-request set-query %[req.hdr(x-none)] if { path_beg /v2/api/noq }
    http-request set-method PUT if { path /v2/api/put }
    http-request set-pathq /pq?x=1 if { path /pathq }
    http-request replace-path ^/old/(.*) /new/\\1
    http-request replace-pathq ^/pqr/([^?]*)\\?(.*) /pqr-\\2/\\1
    http-request replace-uri ^/full/(.*)$ /rewritten/\\1
    http-request set-uri http://upstream.test:8080%[path] if { path_beg /abs }
    http-request set-header X-Before %[var(txn.before)]
    http-request set-header X-After "%[url] %[path] %[query]"
    http-request set-header X-Method %[method]
    use_backend be_b if { path_beg /v2/api/b }
    default_backend be_a

frontend fe_norm
    bind 127.0.0.1:${p.norm}
    http-request normalize-uri path-merge-slashes
    http-request normalize-uri path-strip-dotdot
    http-request normalize-uri query-sort-by-name
    http-request normalize-uri percent-decode-unreserved strict
    default_backend be_a

backend be_a
    http-response set-var(res.status) status
    http-response set-var(req.late) str(x)
    server s1 127.0.0.1:${p.a}

backend be_b
    server s1 127.0.0.1:${p.b}

backend be_hash
    balance hash var(txn.key)
    server a 127.0.0.1:${p.a}
    server b 127.0.0.1:${p.b}
`;
}

for (const target of TARGETS) {
  describe(`variables and request-line rewrites on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(await appBackend(ports.a, 'a'), await appBackend(ports.b, 'b'));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    const forwarded = (res: { text: string }, name: string): string | undefined =>
      new RegExp(`^${name}: (.*)$`, 'im').exec(res.text.replace(/\r/g, ''))?.[1];

    it('each scope as the request rules see it; proc from the global section; sess across keep-alive requests', async () => {
      const conn = await HttpConnection.open(ports.vars);
      const first = await conn.request('GET', '/one');
      assert.equal(
        forwarded(first, 'x-vars'),
        'sess=/one txn=/one req=GET fmt=/one@GET num=42 cond=none empty=none proc=hello world limit=42',
      );
      const second = await conn.request('POST', '/unset', {}, '');
      assert.equal(
        forwarded(second, 'x-vars'),
        'sess=/one txn=/unset req=POST fmt=/unset@POST num= cond=none empty=none proc=hello world limit=42',
      );
      conn.destroy();
      const other = await HttpConnection.open(ports.vars);
      assert.match(forwarded(await other.request('GET', '/two'), 'x-vars') ?? '', /^sess=\/two /, 'a new connection, a new session');
      other.destroy();
    });

    it('typed variables: bool, int and ip ACLs; the set-var converter passes its sample on', async () => {
      const conn = await HttpConnection.open(ports.vars);
      const res = await conn.request('GET', '/typed', { 'x-in': 'MiXeD' });
      assert.equal(forwarded(res, 'x-typed'), 'flag is42 local');
      assert.equal(forwarded(res, 'x-conv'), 'mixed then mixed');
      assert.equal(forwarded((await conn.request('GET', '/unset')), 'x-typed'), undefined, 'txn.num unset: is42 fails');
      conn.destroy();
    });

    it('response rules read txn and res variables; req ones are gone and cannot be set there', async () => {
      const conn = await HttpConnection.open(ports.vars);
      const res = await conn.request('GET', '/resp');
      // var(req.late,absent): the req scope does not exist on the response, so not even the
      // default is returned (HAProxy's vars_get_by_desc).
      assert.equal(res.header('x-res'), 'txn=/resp req= res=200 late=');
      conn.destroy();
    });

    it('use_backend on a variable', async () => {
      const conn = await HttpConnection.open(ports.vars);
      assert.equal((await conn.request('GET', '/', { 'x-pool': 'b' })).header('x-backend'), 'b');
      assert.equal((await conn.request('GET', '/')).header('x-backend'), 'a');
      conn.destroy();
    });

    it('balance hash on a variable: one key, one server', async () => {
      const conn = await HttpConnection.open(ports.vars);
      const servers = new Set<string | undefined>();
      for (let k = 0; k < 12; k++) {
        const first = (await conn.request('GET', '/hash', { 'x-key': `key-${k}` })).header('x-backend');
        const again = (await conn.request('GET', '/hash', { 'x-key': `key-${k}` })).header('x-backend');
        assert.equal(again, first, `key-${k}`);
        servers.add(first);
      }
      assert.deepEqual([...servers].sort(), ['a', 'b'], 'the keys spread over both servers');
      conn.destroy();
    });

    it('set-path: the server, later fetches and use_backend see the new path; the log shows the request as received', async () => {
      const conn = await HttpConnection.open(ports.line);
      const res = await conn.request('GET', '/api/b/x?k=v');
      assert.equal(res.header('x-backend'), 'b');
      assert.equal(backends[1]?.lastRequest()?.target, '/v2/api/b/x?k=v');
      assert.equal(forwarded(res, 'x-before'), '/api/b/x?k=v');
      assert.equal(forwarded(res, 'x-after'), '/v2/api/b/x?k=v /v2/api/b/x k=v');
      conn.destroy();
      let line: string | undefined;
      await eventually(() => {
        line = proxy?.stdout.split('\n').find((l) => l.includes('/api/b/x'));
        return line !== undefined;
      }, 3000);
      assert.match(line ?? '', /"GET \/api\/b\/x\?k=v HTTP\/1\.1"$/, `log line: ${line}`);
    });

    it('set-query, set-pathq, set-method (the method fetch keeps the original, as HAProxy)', async () => {
      const conn = await HttpConnection.open(ports.line);
      await conn.request('GET', '/api/q?a=1');
      assert.equal(backends[0]?.lastRequest()?.target, '/v2/api/q?a=1&added=1');
      await conn.request('GET', '/api/noq?a=1');
      assert.equal(backends[0]?.lastRequest()?.target, '/v2/api/noq?');
      await conn.request('GET', '/pathq?old');
      assert.equal(backends[0]?.lastRequest()?.target, '/pq?x=1');
      const put = await conn.request('GET', '/api/put');
      assert.equal(backends[0]?.lastRequest()?.method, 'PUT');
      assert.equal(forwarded(put, 'x-method'), 'GET');
      conn.destroy();
    });

    it('replace-path, replace-pathq, replace-uri: the whole part becomes the format with the groups', async () => {
      const conn = await HttpConnection.open(ports.line);
      await conn.request('GET', '/old/a/b?q=1');
      assert.equal(backends[0]?.lastRequest()?.target, '/new/a/b?q=1');
      await conn.request('GET', '/pqr/x?y=2');
      assert.equal(backends[0]?.lastRequest()?.target, '/pqr-y=2/x');
      await conn.request('GET', '/full/z?w');
      assert.equal(backends[0]?.lastRequest()?.target, '/rewritten/z?w');
      await conn.request('GET', '/untouched');
      assert.equal(backends[0]?.lastRequest()?.target, '/untouched');
      conn.destroy();
    });

    it('set-uri with an absolute URI: the Host header follows its authority', async () => {
      const conn = await HttpConnection.open(ports.line);
      const res = await conn.request('GET', '/abs/p?x', { host: 'client.test' });
      const seen = backends[0]?.lastRequest();
      assert.equal(seen?.target, 'http://upstream.test:8080/abs/p');
      assert.equal(seen?.headers.find(([n]) => n.toLowerCase() === 'host')?.[1], 'upstream.test:8080');
      assert.equal(forwarded(res, 'x-after'), 'http://upstream.test:8080/abs/p /abs/p ');
      conn.destroy();
    });

    it('normalize-uri: merged slashes, dot-segments, sorted query, decoded unreserved characters', async () => {
      const conn = await HttpConnection.open(ports.norm);
      await conn.request('GET', '//a///b/../%7Euser/c?z=1&a=2&m');
      assert.equal(backends[0]?.lastRequest()?.target, '/a/~user/c?a=2&m&z=1');
      conn.destroy();
    });

    it('a strict normalizer meeting a bad escape: 400, and the connection closes', async () => {
      const conn = await HttpConnection.open(ports.norm);
      const res = await conn.request('GET', '/bad%zz');
      assertErrorPage(res, 400);
      assert.equal(await conn.waitClosed(2000), true);
    });
  });
}
