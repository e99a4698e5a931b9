/**
 * Black-box conformance of the first HTTP rules slice: `acl`, `if`/`unless` conditions (named
 * and anonymous ACLs, negation, `||`), log-format values and the header actions of
 * `http-request` / `http-response` (set-header, add-header, del-header, replace-value), as
 * HAProxy 2.6 users write X-Forwarded-Proto / X-Forwarded-Port / Via:
 *
 *   http-request set-header X-Forwarded-Proto https if { ssl_fc }
 *   http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
 *   http-request set-header X-Forwarded-Port %[dst_port]
 *
 * One proxy per target; raw sockets on 127.0.0.1; the backend echoes the request head it got.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-rules.test.js
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { runCli, writeTempConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { type HeaderList, headerValues, parseHead } from '../support/http-wire.ts';

const PORT_NAMES = ['plain', 'tls', 'listen', 'be', 'beListen'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** The rules both frontends share (one proxy section each, as users write them). */
const FRONTEND_RULES = `
    acl is_api path_beg /api
    acl is_api path_beg /v2
    acl admin_host hdr(host) -i -m beg admin.
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
    http-request set-header X-Forwarded-Port %[dst_port]
    http-request add-header Via "1.1 edge"
    http-request set-header X-Seen-Proto "%[req.hdr(x-forwarded-proto)] from %[src]"
    http-request set-header X-Api yes if is_api
    http-request set-header X-Zone admin if admin_host || { req.hdr(x-admin) -m found }
    http-request set-header X-Public yes unless admin_host
    http-request del-header X-Secret
    http-request replace-value X-List ^a$ A
    http-request set-header X-Host %[hostname]
    http-request add-header X-Order frontend
    http-response add-header Via "1.1 edge"
    http-response del-header X-Conn
    http-response set-header X-Status %[status]
    http-response add-header X-Resp-Order frontend
`;

function configFor(p: Ports): string {
  const fixtures = `${repoRoot}test/fixtures/tls`;
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_plain
    bind 127.0.0.1:${p.plain}
${FRONTEND_RULES}
    default_backend be_rules

frontend fe_tls
    bind 127.0.0.1:${p.tls} ssl crt ${fixtures}/a.example.pem
${FRONTEND_RULES}
    default_backend be_rules

backend be_rules
    http-request add-header X-Order backend
    http-response add-header X-Resp-Order backend
    server s1 127.0.0.1:${p.be}

listen ls
    bind 127.0.0.1:${p.listen}
    http-request add-header X-Once 1
    http-response add-header X-Once-Response 1
    server s1 127.0.0.1:${p.beListen}
`;
}

/** The request head the backend echoed back as the response body. */
function echoed(text: string): HeaderList {
  return parseHead(text).headers;
}

for (const target of TARGETS) {
  describe(`HTTP rules on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(await appBackend(ports.be, 'rules'), await appBackend(ports.beListen, 'listen'));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('X-Forwarded-Proto http, X-Forwarded-Port and Via on a plain bind; rules see earlier rules\u2019 headers', async () => {
      const conn = await HttpConnection.open(ports.plain);
      const res = await conn.request('GET', '/page', { 'x-forwarded-proto': 'forged', via: '1.0 client-proxy' });
      assert.equal(res.status, 200);
      const h = echoed(res.text);
      assert.deepEqual(headerValues(h, 'x-forwarded-proto'), ['http'], res.text);
      assert.deepEqual(headerValues(h, 'x-forwarded-port'), [String(ports.plain)], res.text);
      assert.deepEqual(headerValues(h, 'via'), ['1.0 client-proxy', '1.1 edge'], res.text);
      assert.deepEqual(headerValues(h, 'x-seen-proto'), ['http from 127.0.0.1'], res.text);
      assert.deepEqual(headerValues(h, 'x-host'), [hostname()], res.text);
      conn.destroy();
    });

    it('X-Forwarded-Proto https and the TLS bind port over TLS', async () => {
      const conn = await HttpConnection.open(ports.tls, { tls: true, servername: 'a.example' });
      const res = await conn.request('GET', '/secure', { 'x-forwarded-proto': 'forged' });
      assert.equal(res.status, 200);
      const h = echoed(res.text);
      assert.deepEqual(headerValues(h, 'x-forwarded-proto'), ['https'], res.text);
      assert.deepEqual(headerValues(h, 'x-forwarded-port'), [String(ports.tls)], res.text);
      assert.deepEqual(headerValues(h, 'via'), ['1.1 edge'], res.text);
      conn.destroy();
    });

    it('response rules: Via added, a server header deleted, %[status], backend rules before the frontend\u2019s', async () => {
      const conn = await HttpConnection.open(ports.plain);
      const res = await conn.request('GET', '/resp');
      assert.equal(res.status, 200);
      assert.deepEqual(headerValues(res.headers, 'via'), ['1.1 edge'], res.head.raw);
      assert.deepEqual(headerValues(res.headers, 'x-conn'), [], `del-header X-Conn:\n${res.head.raw}`);
      assert.deepEqual(headerValues(res.headers, 'x-backend'), ['rules'], 'other server headers stay');
      assert.deepEqual(headerValues(res.headers, 'x-status'), ['200'], res.head.raw);
      assert.deepEqual(headerValues(res.headers, 'x-resp-order'), ['backend', 'frontend'], res.head.raw);
      const missing = await conn.request('GET', '/status/404');
      assert.deepEqual(headerValues(missing.headers, 'x-status'), ['404'], missing.head.raw);
      conn.destroy();
    });

    it('request rules run frontend first, then backend', async () => {
      const conn = await HttpConnection.open(ports.plain);
      const res = await conn.request('GET', '/order');
      assert.deepEqual(headerValues(echoed(res.text), 'x-order'), ['frontend', 'backend'], res.text);
      conn.destroy();
    });

    it('named ACLs (several lines OR together), -i -m beg, unless, || with an anonymous ACL', async () => {
      const conn = await HttpConnection.open(ports.plain);
      const api = echoed((await conn.request('GET', '/api/users')).text);
      assert.deepEqual(headerValues(api, 'x-api'), ['yes']);
      assert.deepEqual(headerValues(echoed((await conn.request('GET', '/v2/x')).text), 'x-api'), ['yes'], 'second acl line');
      const other = echoed((await conn.request('GET', '/apix/..', {})).text);
      assert.deepEqual(headerValues(other, 'x-api'), ['yes'], 'path_beg is a prefix match');
      const page = echoed((await conn.request('GET', '/page')).text);
      assert.deepEqual(headerValues(page, 'x-api'), []);
      assert.deepEqual(headerValues(page, 'x-zone'), []);
      assert.deepEqual(headerValues(page, 'x-public'), ['yes']);
      const admin = echoed((await conn.request('GET', '/', { host: 'ADMIN.example.test' })).text);
      assert.deepEqual(headerValues(admin, 'x-zone'), ['admin'], '-i matches case-insensitively');
      assert.deepEqual(headerValues(admin, 'x-public'), [], 'unless');
      const flagged = echoed((await conn.request('GET', '/', { 'x-admin': '' })).text);
      assert.deepEqual(headerValues(flagged, 'x-zone'), ['admin'], '-m found on an empty header');
      conn.destroy();
    });

    it('del-header removes every occurrence; replace-value rewrites matching list elements', async () => {
      const conn = await HttpConnection.open(ports.plain);
      const res = await conn.request('GET', '/del', { 'x-secret': 'one', 'X-Secret': 'two', 'x-list': 'a, b,a' });
      const h = echoed(res.text);
      assert.deepEqual(headerValues(h, 'x-secret'), [], res.text);
      assert.deepEqual(headerValues(h, 'x-list'), ['A, b,A'], res.text);
      conn.destroy();
    });

    it('a listen section runs its rules once', async () => {
      const conn = await HttpConnection.open(ports.listen);
      const res = await conn.request('GET', '/once');
      assert.deepEqual(headerValues(echoed(res.text), 'x-once'), ['1'], res.text);
      assert.deepEqual(headerValues(res.headers, 'x-once-response'), ['1'], res.head.raw);
      conn.destroy();
    });

    it(
      'an action not supported yet is refused with its file, line and keyword',
      { skip: target === 'haproxy' ? 'HAProxy supports http-request set-mark' : false },
      async () => {
        const cfg = writeTempConfig(`${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${ports.plain}
    acl bad path_beg /admin
    http-request set-mark 10 if bad
    default_backend be
backend be
    server s1 127.0.0.1:${ports.be}
`);
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 1, result.stderr);
          assert.ok(result.stderr.includes(`[${cfg.path}:12]`), result.stderr);
          assert.match(result.stderr, /'http-request set-mark' is not supported by Switchyard yet/);
        } finally {
          cfg.cleanup();
        }
      },
    );
  });
}
