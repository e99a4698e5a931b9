/**
 * Black-box conformance of `src_updt_conn_cnt([TABLE])` (HAProxy 2.6's stick_table.c
 * smp_fetch_src_updt_conn_cnt): each call creates the client address's entry when needed, adds
 * one to conn_cnt (conn_rate untouched) and returns the new count; a table that does not store
 * conn_cnt gives no sample but still gets the entry. And, on Switchyard only,
 * `table_expire(T[,D])` / `table_idle(T[,D])`: HAProxy 2.7's converters, which 2.6 lacks.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stick-updt-expire.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, type Target, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['updt', 'limit', 'delays'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports, target: Target): string {
  // HAProxy 2.6 refuses table_expire/table_idle (unknown converters): that frontend is Switchyard's only.
  const delays = target === 'haproxy' ? '' : `
frontend fe_delays
    bind 127.0.0.1:${p.delays}
    stick-table type ip size 1k expire 30s store gpc0
    http-request return status 200 hdr x-before "%[src,table_expire(fe_delays,-1)] %[src,table_idle(fe_delays,-2)]" hdr x-none "<%[src,table_expire(fe_delays)]>" hdr x-after "%[src_inc_gpc0] %[src,table_expire(fe_delays,-1)] %[src,table_idle(fe_delays,-2)]"
`;
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
${delays}
backend st_bare
    stick-table type ip size 1k store gpc0

backend st_limit
    stick-table type ip size 1k expire 30s store conn_cnt
`;
}

for (const target of TARGETS) {
  describe(`src_updt_conn_cnt, table_expire, table_idle on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      proxy = await startProxy(target, configFor(ports, target));
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

    it('table_expire/table_idle (HAProxy 2.7): the default for an absent key, then ms left and ms idle', { skip: target === 'haproxy' ? 'HAProxy 2.6 has no table_expire/table_idle converters' : false }, async () => {
      const conn = await HttpConnection.open(ports.delays, { localAddress: '127.0.0.33' });
      const first = await conn.request('GET', '/');
      assert.equal(first.header('x-before'), '-1 -2');
      assert.equal(first.header('x-none'), '<>', 'absent without a default: no sample');
      const [count, expire, idle] = (first.header('x-after') ?? '').split(' ').map(Number);
      assert.equal(count, 1);
      assert.ok(expire !== undefined && expire > 29_000 && expire <= 30_000, `expire ${expire}`);
      assert.ok(idle !== undefined && idle >= 0 && idle < 1000, `idle ${idle}`);
      await delay(300);
      const second = await conn.request('GET', '/');
      const [expireLater, idleLater] = (second.header('x-before') ?? '').split(' ').map(Number);
      assert.ok(expireLater !== undefined && expireLater <= 29_700 && expireLater > 28_500, `expire ${expireLater}`);
      assert.ok(idleLater !== undefined && idleLater >= 300 && idleLater < 1500, `idle ${idleLater}`);
      conn.destroy();
    });
  });
}
