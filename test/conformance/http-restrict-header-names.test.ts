/**
 * Black-box conformance of `option http-restrict-req-hdr-names preserve|delete|reject`: request
 * headers whose name holds a character other than a letter, a digit or '-' reach the server,
 * are removed (those a rule added included), or get the request refused with HAProxy's 403.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-restrict-header-names.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['be', 'fe', 'feDelete'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    log stdout format raw local0
    log-format "restrict %HP %ST %ts"
    use_backend be_delete if { path_beg /delete }
    use_backend be_reject if { path_beg /reject }
    default_backend be_preserve

frontend fe_delete
    bind 127.0.0.1:${p.feDelete}
    option http-restrict-req-hdr-names delete
    http-request set-header X-rule_added 1
    default_backend be_preserve

backend be_preserve
    server s1 127.0.0.1:${p.be}

backend be_delete
    option http-restrict-req-hdr-names delete
    server s1 127.0.0.1:${p.be}

backend be_reject
    option http-restrict-req-hdr-names reject
    server s1 127.0.0.1:${p.be}
`;
}

for (const target of TARGETS) {
  describe(`option http-restrict-req-hdr-names on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let app: HttpTestBackend;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await appBackend(p.be, 'app');
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    /** The header names the server received for the last request. */
    function receivedNames(): string[] {
      return (app.lastRequest()?.headers ?? []).map(([name]) => name.toLowerCase());
    }

    const odd = { 'X-my_hdr': 'on', 'X.dot': 'on', 'X-plain': '1', 'X-other': '2' };

    it('preserve (the default): every name reaches the server', async () => {
      const conn = await HttpConnection.open(p.fe);
      assert.equal((await conn.request('GET', '/preserve', odd)).status, 200);
      conn.destroy();
      assert.deepEqual(receivedNames().filter((n) => n.startsWith('x')), ['x-my_hdr', 'x.dot', 'x-plain', 'x-other']);
    });

    it('delete: the odd names are removed, the others kept in order', async () => {
      const conn = await HttpConnection.open(p.fe);
      assert.equal((await conn.request('GET', '/delete', odd)).status, 200);
      conn.destroy();
      assert.deepEqual(receivedNames().filter((n) => n.startsWith('x')), ['x-plain', 'x-other']);
    });

    it('delete in a frontend also removes what its own rules added', async () => {
      const conn = await HttpConnection.open(p.feDelete);
      assert.equal((await conn.request('GET', '/fe-delete', { 'X-plain': '1' })).status, 200);
      conn.destroy();
      assert.deepEqual(receivedNames().filter((n) => n.startsWith('x')), ['x-plain']);
    });

    it('reject: a 403 as for deny, logged PR, nothing sent to the server', async () => {
      const before = app.requests;
      const conn = await HttpConnection.open(p.fe);
      assertErrorPage(await conn.request('GET', '/reject', { 'X-my_hdr': 'on' }), 403);
      conn.destroy();
      const clean = await HttpConnection.open(p.fe);
      assert.equal((await clean.request('GET', '/reject/clean', { 'X-plain': '1' })).status, 200);
      clean.destroy();
      assert.equal(app.requests, before + 1);
      await eventually(() => (proxy?.stdout ?? '').includes('restrict /reject 403 PR'), 3000);
    });
  });
}
