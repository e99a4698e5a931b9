/**
 * Black-box conformance of stick tables as counter stores (docs/rate-limiting.md's recipes):
 *
 * - per-IP request rate -> 429 with `track-sc0 src` and `sc_http_req_rate(0)`, and recovery once
 *   the rolling window has moved past the burst; other addresses are not affected;
 * - what a tracked entry counts (http_req_cnt, conn_cur, conn_cnt, http_err_cnt for denied
 *   requests and 4xx answers), read by `sc*_`, `src_*`, `table_*` fetches and converters;
 * - an abuse flag in gpc0 (`sc-inc-gpc0`) banning the address until the entry expires;
 * - per-path limits in a table declared by another section (`track-sc2 ... table NAME`).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/rate-limit.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['rate', 'counts', 'ban', 'path', 'conc', 'res', 'tcpconn', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
frontend fe_rate
    bind 127.0.0.1:${p.rate}
    stick-table type ip size 100k expire 30s store http_req_rate(1s)
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 5 }
    http-response set-header X-Rate %[sc_http_req_rate(0)]
    default_backend be_app

frontend fe_counts
    bind 127.0.0.1:${p.counts}
    stick-table type ip size 1k expire 30s store http_req_cnt,http_err_cnt,conn_cur,conn_cnt,gpc0,gpt0
    log stdout format raw local0
    log-format "counted %HU req=%[sc_http_req_cnt(1)] cur=%[sc1_conn_cur]"
    http-request track-sc1 src
    http-request sc-set-gpt0(1) 7 if { path /gpt }
    http-request deny if { path /deny }
    http-request set-var(txn.inc) src_inc_gpc0 if { path /inc }
    http-response set-header X-Sc "req=%[sc_http_req_cnt(1)] err=%[sc1_http_err_cnt] cur=%[sc1_conn_cur] conn=%[sc_conn_cnt(1)] gpc0=%[sc_get_gpc0(1)] gpt0=%[sc1_get_gpt0] trackers=%[sc_trackers(1)]"
    http-response set-header X-Tracked "sc0=%[sc0_tracked] sc1=%[sc1_tracked] sc2=%[sc_tracked(2)]"
    http-response set-header X-Src "req=%[src_http_req_cnt] gpc0=%[src_get_gpc0] in=%[src,in_table(fe_counts)] t=%[src,table_http_req_cnt(fe_counts)] other=%[str(10.9.9.9),table_http_req_cnt(fe_counts)]"
    http-response set-header X-Table "cnt=%[table_cnt] avl=%[table_avl(fe_counts)]"
    default_backend be_app

frontend fe_ban
    bind 127.0.0.1:${p.ban}
    stick-table type ip size 1k expire 1500ms store gpc0
    http-request track-sc0 src
    http-request deny deny_status 403 if { sc_get_gpc0(0) gt 0 }
    http-request sc-inc-gpc0(0) if { path /abuse }
    default_backend be_app

frontend fe_path
    bind 127.0.0.1:${p.path}
    http-request track-sc2 path table st_paths if { path_beg /login }
    http-request deny deny_status 429 if { path_beg /login } { sc_http_req_rate(2) gt 2 }
    default_backend be_app

frontend fe_conc
    bind 127.0.0.1:${p.conc}
    stick-table type ip size 1k expire 30s store conn_cur
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_conn_cur(0) gt 2 }
    default_backend be_app

frontend fe_tcpconn
    bind 127.0.0.1:${p.tcpconn}
    stick-table type ip size 1k expire 30s store conn_cur,conn_cnt,http_req_cnt
    tcp-request connection track-sc0 src
    tcp-request connection reject if { sc_conn_cur(0) gt 2 }
    http-response set-header X-Conn "cur=%[sc_conn_cur(0)] cnt=%[sc_conn_cnt(0)] req=%[sc_http_req_cnt(0)]"
    default_backend be_app

frontend fe_res
    bind 127.0.0.1:${p.res}
    stick-table type ip size 1k expire 30s store http_req_cnt,http_err_cnt,http_fail_cnt
    http-response track-sc2 src
    http-response set-header X-Res "req=%[sc_http_req_cnt(2)] err=%[sc2_http_err_cnt] fail=%[sc2_http_fail_cnt]"
    default_backend be_app

backend st_paths
    stick-table type string len 64 size 10k expire 10s store http_req_rate(10s)

backend be_app
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`stick-table counters and rate limiting on ${target}`, () => {
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

    it('per-IP request rate: 429 after 5 requests in the window, other addresses unaffected, recovery after it', async () => {
      const conn = await HttpConnection.open(ports.rate);
      for (let i = 1; i <= 5; i++) {
        const res = await conn.request('GET', `/r${i}`);
        assert.equal(res.status, 200, `request ${i}`);
        assert.equal(res.header('x-rate'), String(i), `request ${i} sees itself counted`);
      }
      assert.equal((await conn.request('GET', '/r6')).status, 429);
      // A denied request is counted too: the client stays limited while it keeps hammering.
      assert.equal((await conn.request('GET', '/r7')).status, 429);
      const other = await HttpConnection.open(ports.rate, { localAddress: '127.0.0.2' });
      assert.equal((await other.request('GET', '/')).status, 200, 'another address has its own entry');
      other.destroy();
      // Two periods without a request: nothing of the burst is left in the rolling window.
      await delay(2100);
      const again = await conn.request('GET', '/after');
      assert.equal(again.status, 200);
      assert.equal(again.header('x-rate'), '1');
      conn.destroy();
    });

    it('what a tracked entry counts, read by sc_, src_, table_ fetches and converters', async () => {
      const conn = await HttpConnection.open(ports.counts, { localAddress: '127.0.0.3' });
      const first = await conn.request('GET', '/');
      assert.equal(first.header('x-sc'), 'req=1 err=0 cur=1 conn=1 gpc0=0 gpt0=0 trackers=1');
      assert.equal(first.header('x-tracked'), 'sc0=0 sc1=1 sc2=0');
      assert.equal(first.header('x-src'), 'req=1 gpc0=0 in=1 t=1 other=0');
      assert.equal(first.header('x-table'), 'cnt=1 avl=1023');
      // http-request tracking is per stream: every request is a new "connection" on the entry.
      const second = await conn.request('GET', '/gpt');
      assert.equal(second.header('x-sc'), 'req=2 err=0 cur=1 conn=2 gpc0=0 gpt0=7 trackers=1');
      assert.equal((await conn.request('GET', '/deny')).status, 403);
      const inc = await conn.request('GET', '/inc');
      assert.equal(inc.header('x-sc'), 'req=4 err=1 cur=1 conn=4 gpc0=1 gpt0=7 trackers=1', 'the denied request counted as an error');
      const notFound = await conn.request('GET', '/status/404');
      assert.equal(notFound.status, 404);
      assert.equal(notFound.header('x-sc'), 'req=5 err=2 cur=1 conn=5 gpc0=1 gpt0=7 trackers=1', 'a 4xx from the server is an error');
      assert.equal(notFound.header('x-src'), 'req=5 gpc0=1 in=1 t=5 other=0');
      conn.destroy();
      // The log line is written while the transaction still tracks its entry.
      let line: string | undefined;
      await eventually(() => (line = proxy?.stdout.split('\n').find((l) => l.startsWith('counted /status/404'))) !== undefined, 3000);
      assert.equal(line, 'counted /status/404 req=5 cur=1');
    });

    it('abuse flag in gpc0: the address is banned until its entry expires', async () => {
      const conn = await HttpConnection.open(ports.ban, { localAddress: '127.0.0.4' });
      assert.equal((await conn.request('GET', '/')).status, 200);
      assert.equal((await conn.request('GET', '/abuse')).status, 200, 'the flagging request itself goes through');
      assert.equal((await conn.request('GET', '/')).status, 403);
      // Each banned request refreshes the entry: the ban lasts while the client insists.
      await delay(800);
      assert.equal((await conn.request('GET', '/')).status, 403);
      await delay(800);
      assert.equal((await conn.request('GET', '/')).status, 403);
      await delay(1700);
      assert.equal((await conn.request('GET', '/')).status, 200, 'quiet for longer than expire: the entry and its flag are gone');
      conn.destroy();
    });

    it('per-IP concurrent requests: the third request in flight is refused, the next one after them is served', async () => {
      const conns = await Promise.all([0, 1, 2].map(() => HttpConnection.open(ports.conc, { localAddress: '127.0.0.6' })));
      const [a, b, c] = conns as [HttpConnection, HttpConnection, HttpConnection];
      const slowA = a.request('GET', '/slow/600');
      const slowB = b.request('GET', '/slow/600');
      await delay(200);
      assert.equal((await c.request('GET', '/')).status, 429, 'two requests in flight already');
      assert.equal((await slowA).status, 200);
      assert.equal((await slowB).status, 200);
      assert.equal((await c.request('GET', '/')).status, 200, 'the others are done: conn_cur went down');
      for (const conn of conns) conn.destroy();
    });

    it('per-IP concurrent connections: tcp-request connection track-sc0 src + reject, released when they close', async () => {
      const from = { localAddress: '127.0.0.7' };
      const a = await HttpConnection.open(ports.tcpconn, from);
      const b = await HttpConnection.open(ports.tcpconn, from);
      const first = await a.request('GET', '/');
      assert.equal(first.header('x-conn'), 'cur=2 cnt=2 req=1', 'both connections counted at accept');
      const second = await b.request('GET', '/');
      assert.equal(second.header('x-conn'), 'cur=2 cnt=2 req=2');
      assert.equal((await a.request('GET', '/')).header('x-conn'), 'cur=2 cnt=2 req=3', 'keep-alive requests count on the connection\'s tracker');
      // A third connection from the same address is closed before any byte is read.
      // (HAProxy resets it at once, possibly before the client's connect completes.)
      const refused = await HttpConnection.open(ports.tcpconn, from).then(
        (c) => c.request('GET', '/', {}, undefined, 2000).then(() => false, () => true).finally(() => c.destroy()),
        () => true,
      );
      assert.ok(refused, 'the third connection is refused');
      const other = await HttpConnection.open(ports.tcpconn, { localAddress: '127.0.0.8' });
      assert.equal((await other.request('GET', '/')).status, 200, 'another address is not limited');
      other.destroy();
      a.destroy();
      // The closed connection releases its tracker (conn_cur--).
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) {
        await delay(20);
        ok = await HttpConnection.open(ports.tcpconn, from).then(
          (d) => d.request('GET', '/', {}, undefined, 1000).then((r) => r.status === 200, () => false).finally(() => d.destroy()),
          () => false,
        );
      }
      assert.ok(ok, 'a new connection is accepted once one closed');
      b.destroy();
    });

    it('http-response track-sc counts the request and its 4xx or 5xx status', async () => {
      const conn = await HttpConnection.open(ports.res, { localAddress: '127.0.0.7' });
      assert.equal((await conn.request('GET', '/status/404')).header('x-res'), 'req=1 err=1 fail=0');
      assert.equal((await conn.request('GET', '/')).header('x-res'), 'req=2 err=1 fail=0');
      assert.equal((await conn.request('GET', '/status/503')).header('x-res'), 'req=3 err=1 fail=1');
      assert.equal((await conn.request('GET', '/status/501')).header('x-res'), 'req=4 err=1 fail=1', '501 is not a failure');
      conn.destroy();
    });

    it('per-path limit in a table of another section', async () => {
      const conn = await HttpConnection.open(ports.path, { localAddress: '127.0.0.5' });
      assert.equal((await conn.request('GET', '/login')).status, 200);
      assert.equal((await conn.request('GET', '/login')).status, 200);
      assert.equal((await conn.request('GET', '/login')).status, 429);
      assert.equal((await conn.request('GET', '/login2')).status, 200, 'another path, another key');
      for (let i = 0; i < 5; i++) assert.equal((await conn.request('GET', '/other')).status, 200, 'untracked paths are not limited');
      conn.destroy();
    });
  });
}
