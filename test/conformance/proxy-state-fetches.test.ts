/**
 * Black-box conformance of the fetches on the live state of proxies and servers (HAProxy's
 * backend.c and frontend.c): ids, current connections, free slots, queues, and the per-second
 * session and request rates, read by `http-request` / `http-response` rules and compared with
 * what HAProxy 2.6 reports for the same traffic.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/proxy-state-fetches.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { destroyAllClients, HttpConnection } from '../support/http-client.ts';
import { HTTP_DEFAULTS, startProxy, stopProxy, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

function configFor(main: number, local: number, server: number): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${main}
    http-request set-var(txn.req_rate) fe_req_rate
    http-request set-var(txn.fe_conn) fe_conn
    http-response set-header x-ids "%[fe_id] %[be_id] %[fe_name]"
    http-response set-header x-conn "fe=%[fe_conn(fe)] be=%[be_conn(be)] srv=%[srv_conn(be/s1)] free=%[srv_conn_free(be/s1)] befree=%[be_conn_free(be)] slots=%[connslots(be)]"
    http-response set-header x-queue "%[queue(be)] %[avg_queue(be)] %[srv_queue(be/s1)] %[srv_is_up(be/s1)] %[srv_is_up(be/s2)] %[stopping]"
    http-response set-header x-rates "req=%[var(txn.req_rate)] sess=%[fe_sess_rate] be=%[be_sess_rate(be)] srv=%[srv_sess_rate(be/s1)]"
    default_backend be

backend unused
    server u1 127.0.0.1:9

backend be
    server s1 127.0.0.1:${server} maxconn 10 maxqueue 5
    server s2 127.0.0.1:${server} disabled

listen local
    bind 127.0.0.1:${local}
    http-request return status 200 hdr x-ids "%[fe_id] %[be_id]" hdr x-conn "%[fe_conn] %[fe_conn(fe)] %[be_conn]"
`;
}

for (const target of TARGETS) {
  describe(`proxy state fetches on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let main: number;
    let local: number;
    let server: HttpTestBackend;

    before(async () => {
      const ports = await freePorts(3);
      [main, local] = ports as [number, number];
      server = await appBackend(ports[2] as number, 's1');
      proxy = await startProxy(target, configFor(main, local, ports[2] as number));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await server.close();
    });

    it('fe_id, be_id: the proxies numbered in declaration order (a listen once); the backend is the frontend until chosen', async () => {
      const conn = await HttpConnection.open(main);
      assert.equal((await conn.request('GET', '/')).header('x-ids'), '1 3 fe');
      conn.destroy();
      const other = await HttpConnection.open(local);
      assert.equal((await other.request('GET', '/')).header('x-ids'), '4 4');
      other.destroy();
    });

    it('current connections and free slots while a request holds its server', async () => {
      const idle = await HttpConnection.open(main);
      await idle.request('GET', '/warm');
      const conn = await HttpConnection.open(main);
      const res = await conn.request('GET', '/');
      // Two client connections on fe; this request holds one slot of s1 (maxconn 10, maxqueue 5).
      assert.equal(res.header('x-conn'), 'fe=2 be=1 srv=1 free=9 befree=9 slots=14');
      assert.equal(res.header('x-queue'), '0 0 0 1 0 0');
      const local1 = await HttpConnection.open(local);
      assert.equal((await local1.request('GET', '/')).header('x-conn'), '1 2 0');
      idle.destroy();
      conn.destroy();
      local1.destroy();
    });

    it('per-second rates: requests and sessions of the frontend, backend sessions per request, server sessions', async () => {
      // A fresh second: the earlier tests' events have left the window.
      await new Promise((r) => setTimeout(r, 2100));
      const conn = await HttpConnection.open(main);
      let last = '';
      for (let i = 0; i < 4; i++) last = (await conn.request('GET', `/r${i}`)).header('x-rates') ?? '';
      assert.equal(last, 'req=4 sess=1 be=4 srv=4');
      conn.destroy();
    });
  });
}
