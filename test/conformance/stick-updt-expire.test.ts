/**
 * Black-box conformance of `src_updt_conn_cnt([TABLE])` (HAProxy 2.6's stick_table.c
 * smp_fetch_src_updt_conn_cnt): each call creates the client address's entry when needed, adds
 * one to conn_cnt (conn_rate untouched) and returns the new count; a table that does not store
 * conn_cnt gives no sample but still gets the entry.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stick-updt-expire.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['updt', 'limit'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
frontend fe_updt
    bind 127.0.0.1:${p.updt}
    stick-table type ip size 1k expire 30s store conn_cnt,conn_rate(10s)
    http-request return status 200 hdr x-v "%[src_conn_cnt] %[src_updt_conn_cnt] %[src_updt_conn_cnt(fe_updt)] %[src_conn_cnt] %[src_conn_rate] %[src,table_conn_cnt(fe_updt)]" hdr x-bare "<%[src_updt_conn_cnt(st_bare)]> %[src,in_table(st_bare)]"

frontend fe_limit
    bind 127.0.0.1:${p.limit}
    http-request deny deny_status 429 if { src_updt_conn_cnt(st_limit) gt 3 }
    http-request return status 200 hdr x-n "%[src_conn_cnt(st_limit)]"
backend st_bare
    stick-table type ip size 1k store gpc0

backend st_limit
    stick-table type ip size 1k expire 30s store conn_cnt
`;
}

for (const target of TARGETS) {
  describe(`src_updt_conn_cnt on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
    });

    it('src_updt_conn_cnt creates the entry and counts conn_cnt alone, once per call', async () => {
      const conn = await HttpConnection.open(ports.updt, { localAddress: '127.0.0.31' });
      const first = await conn.request('GET', '/');
      assert.equal(first.status, 200);
      assert.equal(first.header('x-v'), '0 1 2 2 0 2', 'the rate is not counted');
      assert.equal(first.header('x-bare'), '<> 1', 'no conn_cnt stored: no sample, but the entry exists');
      const second = await conn.request('GET', '/');
      assert.equal(second.header('x-v'), '2 3 4 4 0 4');
      conn.destroy();
    });

    it('a limit on src_updt_conn_cnt counts each evaluation: the fourth request is denied', async () => {
      const conn = await HttpConnection.open(ports.limit, { localAddress: '127.0.0.32' });
      for (let i = 1; i <= 3; i++) {
        const res = await conn.request('GET', '/');
        assert.equal(res.status, 200, `request ${i}`);
        assert.equal(res.header('x-n'), String(i));
      }
      assert.equal((await conn.request('GET', '/')).status, 429);
      conn.destroy();
    });
  });
}
