/**
 * Black-box conformance of HTTP rules declared in named defaults sections (HAProxy 2.5+; its
 * reg-test http-rules/default_rules.vtc, instances h1 and h2): the inheriting frontend and
 * backend run the defaults' rules before their own, as one list (`allow` in the defaults'
 * rules ends the proxy's evaluation), for http-request, http-response and http-after-response,
 * with variables shared across them, and the defaults' own ACLs.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-default-rules.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['vars', 'allow', 'acl', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
defaults common
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s

defaults def_front from common
    http-request set-header x-frontend "%[fe_name]"
    http-request set-var(txn.test1) "str(def_front)"
    http-response set-header x-frontend "%[fe_name]"
    http-response set-var(txn.test2) "str(def_front)"
    http-after-response set-var(txn.test3) "str(def_front)"

defaults def_back from common
    http-request set-header x-backend "%[be_name]"
    http-request set-var(txn.test1) "str(def_back)"
    http-response set-header x-backend "%[be_name]"
    http-response set-var(txn.test2) "str(def_back)"
    http-after-response set-var(txn.test3) "str(def_back)"

defaults allow_front from common
    http-request allow
    http-response allow
    http-after-response allow

defaults allow_back from common
    http-request allow
    http-response allow
    http-after-response allow

defaults acl_front from common
    acl is_admin path_beg /admin
    http-request deny deny_status 403 if is_admin

frontend fe from def_front
    bind 127.0.0.1:${p.vars}
    http-request set-header x-test1-frt "%[var(txn.test1)]"
    http-response set-header x-test2-frt "%[var(txn.test2)]"
    http-after-response set-header x-test3-frt "%[var(txn.test3)]"
    default_backend be

backend be from def_back
    http-request set-header x-test1-bck "%[var(txn.test1)]"
    http-response set-header x-test2-bck "%[var(txn.test2)]"
    http-after-response set-header x-test3-bck "%[var(txn.test3)]"
    server s1 127.0.0.1:${p.app}

frontend fe_allow from allow_front
    bind 127.0.0.1:${p.allow}
    http-request deny deny_status 403
    http-response deny deny_status 502
    http-after-response set-status 502
    default_backend be_allow

backend be_allow from allow_back
    http-request deny deny_status 403
    http-response deny deny_status 502
    http-after-response set-status 502
    server s1 127.0.0.1:${p.app}

frontend fe_acl from acl_front
    bind 127.0.0.1:${p.acl}
    acl is_admin path_beg /other
    default_backend be_plain

backend be_plain from common
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`HTTP rules in named defaults sections on ${target}`, () => {
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

    it('the frontend and the backend run their defaults\u2019 rules first, in each list, sharing variables', async () => {
      const conn = await HttpConnection.open(ports.vars);
      const res = await conn.request('GET', '/');
      assert.equal(res.status, 200);
      // What the server received (echoed in the body): each defaults' request rules ran first.
      assert.equal(echoed(res.text, 'x-frontend'), 'fe', res.text);
      assert.equal(echoed(res.text, 'x-backend'), 'be', res.text);
      assert.equal(echoed(res.text, 'x-test1-frt'), 'def_front', res.text);
      assert.equal(echoed(res.text, 'x-test1-bck'), 'def_back', res.text);
      // The response: backend defaults + backend, then frontend defaults + frontend.
      assert.equal(res.header('x-frontend'), 'fe');
      assert.equal(res.header('x-backend'), 'be');
      assert.equal(res.header('x-test2-bck'), 'def_back');
      assert.equal(res.header('x-test2-frt'), 'def_front');
      assert.equal(res.header('x-test3-bck'), 'def_back');
      assert.equal(res.header('x-test3-frt'), 'def_front');
      conn.destroy();
    });

    it('an allow among the defaults\u2019 rules ends the proxy\u2019s own list too', async () => {
      const conn = await HttpConnection.open(ports.allow);
      const res = await conn.request('GET', '/');
      assert.equal(res.status, 200, res.text);
      conn.destroy();
    });

    it('the defaults\u2019 rules use the defaults\u2019 ACLs, not an ACL of the same name in the proxy', async () => {
      const conn = await HttpConnection.open(ports.acl);
      assert.equal((await conn.request('GET', '/admin/x')).status, 403);
      assert.equal((await conn.request('GET', '/other')).status, 200);
      conn.destroy();
    });
  });
}
