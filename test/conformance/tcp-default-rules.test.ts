/**
 * Black-box conformance of tcp rules in named defaults sections and of a backend's tcp rules in
 * HTTP mode (HAProxy 2.5+; its reg-test tcp-rules/default_rules.vtc): the defaults' rules run
 * before the proxy's own (an accept among them ends both lists), a backend's `tcp-request
 * content` rules run after use_backend and before its http-request rules, its `tcp-response
 * content` rules before its http-response rules; a reject closes without an answer.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/tcp-default-rules.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, buildRequest, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['vars', 'rejects', 'acl', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
defaults common
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s

defaults def_front from common
    tcp-request connection accept
    tcp-request session accept
    tcp-request inspect-delay 5s
    tcp-request content set-var(txn.test1) "str(def_front)"
    tcp-request content accept

defaults def_back from common
    tcp-request inspect-delay 5s
    tcp-request content set-var(txn.test1) "str(def_back)"
    tcp-request content accept
    tcp-response inspect-delay 5s
    tcp-response content set-var(txn.test2) "str(def_back)"
    tcp-response content accept

defaults rej_back from common
    tcp-request content reject if { path_beg /req-reject }
    tcp-response content reject if { var(txn.path) -m beg /res-reject }

defaults acl_front from common
    acl blocked src 127.0.0.2
    tcp-request content reject if blocked

frontend fe from def_front
    bind 127.0.0.1:${p.vars}
    tcp-request connection reject
    tcp-request session reject
    tcp-request content reject
    http-request set-header x-test1-frt "%[var(txn.test1)]"
    default_backend be

backend be from def_back
    tcp-response content reject
    http-request set-header x-test1-bck "%[var(txn.test1)]"
    http-response set-header x-test2 "%[var(txn.test2)]"
    server s1 127.0.0.1:${p.app}

frontend fe_rej from common
    bind 127.0.0.1:${p.rejects}
    http-request set-var(txn.path) path
    default_backend be_rej

backend be_rej from rej_back
    http-response set-header x-passed yes
    server s1 127.0.0.1:${p.app}

frontend fe_acl from acl_front
    bind 127.0.0.1:${p.acl}
    acl blocked src 127.0.0.1
    http-request return status 200 content-type text/plain string reached
`;
}

for (const target of TARGETS) {
  describe(`tcp rules in named defaults sections on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend | undefined;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await appBackend(ports.app, 'app');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app?.close();
    });

    const echoed = (text: string, name: string): string | undefined => new RegExp(`^${name}: (.*)$`, 'im').exec(text.replace(/\r/g, ''))?.[1];

    it('the defaults\u2019 accepts end each list before the proxy\u2019s own rejects; the backend\u2019s content rules run after the frontend\u2019s', async () => {
      const conn = await HttpConnection.open(ports.vars);
      const res = await conn.request('GET', '/');
      assert.equal(res.status, 200, res.text);
      assert.equal(echoed(res.text, 'x-test1-frt'), 'def_front', res.text);
      assert.equal(echoed(res.text, 'x-test1-bck'), 'def_back', res.text);
      // tcp-response content (backend defaults) ran before http-response.
      assert.equal(res.header('x-test2'), 'def_back');
      conn.destroy();
    });

    it('every request of a keep-alive connection runs the content rules again (one stream per request)', async () => {
      const conn = await HttpConnection.open(ports.vars);
      for (let i = 0; i < 2; i++) {
        const res = await conn.request('GET', `/${i}`);
        assert.equal(res.status, 200, res.text);
        assert.equal(echoed(res.text, 'x-test1-frt'), 'def_front', `request ${i}: ${res.text}`);
        assert.equal(echoed(res.text, 'x-test1-bck'), 'def_back', `request ${i}: ${res.text}`);
        assert.equal(res.header('x-test2'), 'def_back');
      }
      conn.destroy();
    });

    it('a backend\u2019s tcp-request content reject closes the connection without an answer', async () => {
      const conn = await HttpConnection.open(ports.rejects);
      assert.equal((await conn.request('GET', '/ok')).status, 200);
      await conn.write(buildRequest('GET', '/req-reject', { host: 'example.test' }));
      assert.equal((await conn.readRest(3000)).byteLength, 0);
      conn.destroy();
    });

    it('a backend\u2019s tcp-response content reject closes the connection without an answer', async () => {
      const conn = await HttpConnection.open(ports.rejects);
      const ok = await conn.request('GET', '/ok');
      assert.equal(ok.status, 200);
      assert.equal(ok.header('x-passed'), 'yes');
      await conn.write(buildRequest('GET', '/res-reject', { host: 'example.test' }));
      assert.equal((await conn.readRest(3000)).byteLength, 0);
      conn.destroy();
    });

    it('the defaults\u2019 rules use the defaults\u2019 ACLs, not an ACL of the same name in the proxy', async () => {
      // The frontend's `blocked` would match 127.0.0.1; the defaults' (127.0.0.2) does not.
      const conn = await HttpConnection.open(ports.acl);
      const res = await conn.request('GET', '/');
      assert.equal(res.status, 200);
      assert.equal(res.text, 'reached');
      conn.destroy();
    });
  });
}
