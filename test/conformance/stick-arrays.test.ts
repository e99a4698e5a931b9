/**
 * Black-box conformance of the stick-table arrays of HAProxy 2.5+ (`store gpc(N)`,
 * `gpc_rate(N,P)`, `gpt(N)`):
 *
 * - rate limiting with `sc-inc-gpc(0,0)` counting each request and `sc_get_gpc(0,0)` deciding a
 *   deny; other addresses unaffected;
 * - elements are independent; `sc-set-gpt(0,0)`; the sc_/src_ fetches, table_ converters and the
 *   legacy `sc_get_gpc0` (falling back on gpc[0]) read the same values;
 * - a limit on `sc_gpc_rate(0,0)` recovers once the rolling window has moved past the burst;
 * - `tcp-request connection sc-inc-gpc(0,0)` counting connections.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stick-arrays.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['count', 'rate', 'tcp', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
frontend fe_count
    bind 127.0.0.1:${p.count}
    stick-table type ip size 1k expire 30s store gpc(2),gpc_rate(2,10s),gpt(1)
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_get_gpc(0,0) ge 3 }
    http-request sc-inc-gpc(0,0)
    http-request sc-inc-gpc(1,0) if { path /second }
    http-request sc-set-gpt(0,0) 9 if { path /gpt }
    http-response set-header X-Gpc "g0=%[sc_get_gpc(0,0)] g1=%[sc_get_gpc(1,0)] r0=%[sc_gpc_rate(0,0)] r1=%[sc_gpc_rate(1,0)] t0=%[sc_get_gpt(0,0)] legacy=%[sc_get_gpc0(0)]/%[sc_get_gpc1(0)]/%[sc_get_gpt0(0)]"
    http-response set-header X-Src "g0=%[src_get_gpc(0,fe_count)] r0=%[src_gpc_rate(0,fe_count)] t0=%[src_get_gpt(0,fe_count)] c0=%[src,table_gpc(0,fe_count)] cr1=%[src,table_gpc_rate(1,fe_count)] ct0=%[src,table_gpt(0,fe_count)]"
    default_backend be_app

frontend fe_rate
    bind 127.0.0.1:${p.rate}
    stick-table type ip size 1k expire 30s store gpc_rate(1,1s)
    http-request track-sc0 src
    http-request sc-inc-gpc(0,0)
    http-request deny deny_status 429 if { sc_gpc_rate(0,0) gt 3 }
    http-response set-header X-Rate %[sc_gpc_rate(0,0)]
    default_backend be_app

frontend fe_tcp
    bind 127.0.0.1:${p.tcp}
    stick-table type ip size 1k expire 30s store gpc(1)
    tcp-request connection track-sc0 src
    tcp-request connection sc-inc-gpc(0,0)
    tcp-request connection reject if { sc_get_gpc(0,0) gt 2 }
    http-response set-header X-Conns %[sc_get_gpc(0,0)]
    default_backend be_app

backend be_app
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`stick-table arrays gpc/gpc_rate/gpt on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(await appBackend(ports.app, 'app'));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('sc-inc-gpc(0,0) counts requests, sc_get_gpc(0,0) denies the fourth; fetches and converters agree', async () => {
      const conn = await HttpConnection.open(ports.count, { localAddress: '127.0.0.21' });
      const first = await conn.request('GET', '/');
      assert.equal(first.status, 200);
      assert.equal(first.header('x-gpc'), 'g0=1 g1=0 r0=1 r1=0 t0=0 legacy=1/0/0');
      assert.equal(first.header('x-src'), 'g0=1 r0=1 t0=0 c0=1 cr1=0 ct0=0');
      const second = await conn.request('GET', '/second');
      assert.equal(second.header('x-gpc'), 'g0=2 g1=1 r0=2 r1=1 t0=0 legacy=2/1/0', 'element 1 counts apart');
      const third = await conn.request('GET', '/gpt');
      assert.equal(third.header('x-gpc'), 'g0=3 g1=1 r0=3 r1=1 t0=9 legacy=3/1/9');
      assert.equal(third.header('x-src'), 'g0=3 r0=3 t0=9 c0=3 cr1=1 ct0=9');
      // The deny comes before the increment: a refused request does not count.
      assert.equal((await conn.request('GET', '/')).status, 429);
      assert.equal((await conn.request('GET', '/')).status, 429);
      const other = await HttpConnection.open(ports.count, { localAddress: '127.0.0.22' });
      const fresh = await other.request('GET', '/');
      assert.equal(fresh.status, 200, 'another address has its own entry');
      assert.equal(fresh.header('x-gpc'), 'g0=1 g1=0 r0=1 r1=0 t0=0 legacy=1/0/0');
      other.destroy();
      conn.destroy();
    });

    it('a limit on sc_gpc_rate(0,0) recovers once the window has moved past the burst', async () => {
      const conn = await HttpConnection.open(ports.rate, { localAddress: '127.0.0.23' });
      for (let i = 1; i <= 3; i++) {
        const res = await conn.request('GET', `/r${i}`);
        assert.equal(res.status, 200, `request ${i}`);
        assert.equal(res.header('x-rate'), String(i));
      }
      assert.equal((await conn.request('GET', '/r4')).status, 429);
      await delay(2100);
      const again = await conn.request('GET', '/after');
      assert.equal(again.status, 200);
      assert.equal(again.header('x-rate'), '1');
      conn.destroy();
    });

    it('tcp-request connection sc-inc-gpc(0,0) counts connections; the third is rejected', async () => {
      const from = { localAddress: '127.0.0.24' };
      const a = await HttpConnection.open(ports.tcp, from);
      assert.equal((await a.request('GET', '/')).header('x-conns'), '1');
      assert.equal((await a.request('GET', '/')).header('x-conns'), '1', 'keep-alive requests are not connections');
      const b = await HttpConnection.open(ports.tcp, from);
      assert.equal((await b.request('GET', '/')).header('x-conns'), '2');
      const refused = await HttpConnection.open(ports.tcp, from).then(
        (c) => c.request('GET', '/', {}, undefined, 2000).then(() => false, () => true).finally(() => c.destroy()),
        () => true,
      );
      assert.ok(refused, 'the third connection is refused');
      a.destroy();
      b.destroy();
    });
  });
}
