/**
 * Black-box conformance of the stats page (HAProxy's `stats` keywords of proxy sections): the
 * seed's minimal `listen stats` / `stats enable` / `stats uri /stats` serves the HTML page and
 * `;csv` (HAProxy 2.6's header line, one row per frontend, server and backend), `stats refresh`
 * (Refresh header, `;norefresh`), `stats auth` (401 with HAProxy's realm), `stats scope`,
 * `stats http-request`, a page in a backend reached through `use_backend`, and `stats admin`
 * (the form's POST sets a server to MAINT and back: no traffic while in maintenance). The
 * process block's idle share ("idle = N %", HAProxy's clock_report_idle).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stats-page.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { STAT_FIELDS } from '../../src/stats/stat-fields.ts';

const PORT_NAMES = ['web', 'stats', 'secured', 'ops', 'a', 'b'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend web
    bind 127.0.0.1:${p.web}
    use_backend monitor if { path_beg /monitor }
    default_backend app

backend app
    server s1 127.0.0.1:${p.a}
    server s2 127.0.0.1:${p.b}

backend monitor
    stats enable
    stats uri /monitor
    stats scope app
    stats http-request deny if { path_end /deny }

listen stats
    bind 127.0.0.1:${p.stats}
    stats enable
    stats uri /stats

listen secured
    bind 127.0.0.1:${p.secured}
    stats uri /s
    stats refresh 7s
    stats auth admin:secret
    stats auth ops:other

listen ops
    bind 127.0.0.1:${p.ops}
    stats uri /ops
    stats realm Operators
    stats auth admin:secret
    stats admin if TRUE
`;
}

const basic = (credentials: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });

/** The CSV's rows as [pxname, svname, status] (the header line apart). */
function csvRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const cells = l.split(',');
      return [cells[0] as string, cells[1] as string, cells[17] as string];
    });
}

for (const target of TARGETS) {
  describe(`stats page on ${target}`, () => {
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
      if (target === 'haproxy' && proxy !== undefined) {
        // HAProxy reports the admin form's state changes as warnings: only those are expected.
        await proxy.stop();
        const other = proxy.stderr.split('\n').filter((l) => /\[(WARNING|ALERT)\]/.test(l) && !/Server app\/s2 is /.test(l));
        assert.deepEqual(other, []);
      } else await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it("the seed's minimal config serves the HTML page at /stats: one table per proxy", async () => {
      const conn = await HttpConnection.open(ports.stats);
      const res = await conn.request('GET', '/stats');
      assert.equal(res.status, 200);
      assert.equal(res.header('content-type'), 'text/html');
      assert.equal(res.header('cache-control'), 'no-cache');
      assert.equal(res.header('refresh'), undefined);
      const html = res.text;
      assert.match(html, /<title>Statistics Report for /);
      assert.match(html, /<h2>Statistics Report for pid \d+<\/h2>/);
      for (const name of ['web', 'app', 'monitor', 'stats', 'secured', 'ops']) assert.match(html, new RegExp(`<a class=px href="#${name}">${name}</a>`), name);
      assert.match(html, /<tr class="active_no_check">/);
      // Not the stats URI: the listen has no server.
      assert.equal((await conn.request('GET', '/elsewhere')).status, 503);
      conn.destroy();
    });

    it('the process information ends with the idle share, on the line HAProxy gives it', async () => {
      const conn = await HttpConnection.open(ports.stats);
      const html = (await conn.request('GET', '/stats')).text;
      conn.destroy();
      // HAProxy: "Running tasks: R/T; idle = N %"; Switchyard has no tasks to count (no scheduler).
      const m = /current conns = \d+(?:;[^<\n]*)?<br>\n(?:Running tasks: \d+\/\d+; )?idle = (\d+) %<br>\n<\/td><td align="center" nowrap>\n/.exec(html);
      assert.ok(m !== null, html.slice(0, 2000));
      const idle = Number(m[1]);
      assert.ok(idle >= 0 && idle <= 100, `idle = ${idle}`);
    });

    it(";csv: HAProxy 2.6's header line and one row per frontend, server and backend", async () => {
      const conn = await HttpConnection.open(ports.stats);
      const res = await conn.request('GET', '/stats;csv');
      assert.equal(res.status, 200);
      assert.equal(res.header('content-type'), 'text/plain');
      const [header] = res.text.split('\n');
      assert.ok(header?.startsWith('# '));
      const columns = (header as string).slice(2).split(',');
      assert.equal(columns.pop(), '');
      assert.deepEqual(columns.slice(0, 103), STAT_FIELDS.slice(0, 103));
      assert.deepEqual(columns.slice(0, 3), ['pxname', 'svname', 'qcur']);
      assert.deepEqual(csvRows(res.text), [
        ['web', 'FRONTEND', 'OPEN'],
        ['app', 's1', 'no check'],
        ['app', 's2', 'no check'],
        ['app', 'BACKEND', 'UP'],
        // A backend without servers is UP (HAProxy: nothing to be down).
        ['monitor', 'BACKEND', 'UP'],
        ['stats', 'FRONTEND', 'OPEN'],
        ['stats', 'BACKEND', 'UP'],
        ['secured', 'FRONTEND', 'OPEN'],
        ['secured', 'BACKEND', 'UP'],
        ['ops', 'FRONTEND', 'OPEN'],
        ['ops', 'BACKEND', 'UP'],
      ]);
      // Every row has as many cells as the header names.
      for (const line of res.text.split('\n').slice(1, -1)) assert.equal(line.split(',').length, columns.length + 1, line);
      conn.destroy();
    });

    it(';json and ;typed: show stat json|typed (tags, types and positions as HAProxy 2.6)', async () => {
      const conn = await HttpConnection.open(ports.stats);
      const res = await conn.request('GET', '/stats;json');
      assert.equal(res.status, 200);
      assert.equal(res.header('content-type'), 'application/json');
      const rows = JSON.parse(res.text) as { objType: string; proxyId: number; id: number; field: { pos: number; name: string }; tags: Record<string, string>; value: { type: string; value: unknown } }[][];
      const web = rows[0] ?? [];
      assert.deepEqual(web[0], {
        objType: 'Frontend',
        proxyId: web[0]?.proxyId,
        id: 0,
        field: { pos: 0, name: 'pxname' },
        processNum: 1,
        tags: { origin: 'Key', nature: 'Name', scope: 'Service' },
        value: { type: 'str', value: 'web' },
      });
      const scur = web.find((f) => f.field.name === 'scur');
      assert.deepEqual([scur?.field.pos, scur?.tags, scur?.value.type], [4, { origin: 'Metric', nature: 'Gauge', scope: 'Process' }, 'u32']);
      // The modules' fields follow the last field: the "-" column is no field.
      const h2 = web.find((f) => f.field.name === 'h2_headers_rcvd');
      assert.deepEqual([h2?.field.pos, h2?.value.type], [106, 'u64']);
      const s1 = rows[1]?.find((f) => f.field.name === 'svname');
      assert.deepEqual([rows[1]?.[0]?.objType, rows[1]?.[0]?.id, s1?.value.value], ['Server', 1, 's1']);
      const typed = await conn.request('GET', '/stats;typed');
      assert.match(typed.text, /^F\.\d+\.0\.0\.pxname\.1:KNS:str:web\n/);
      assert.match(typed.text, /\nS\.\d+\.2\.1\.svname\.1:KNS:str:s2\n/);
      conn.destroy();
    });

    it('stats refresh: a Refresh header, dropped by ;norefresh', async () => {
      const conn = await HttpConnection.open(ports.secured);
      assert.equal((await conn.request('GET', '/s', basic('admin:secret'))).header('refresh'), '7');
      assert.equal((await conn.request('GET', '/s;norefresh', basic('admin:secret'))).header('refresh'), undefined);
      assert.equal((await conn.request('GET', '/s;csv', basic('ops:other'))).header('refresh'), '7');
      conn.destroy();
    });

    it("stats auth: 401 with HAProxy's realm until one of the accounts is given", async () => {
      const conn = await HttpConnection.open(ports.secured);
      const denied = await conn.request('GET', '/s');
      assert.equal(denied.status, 401);
      assert.equal(denied.header('www-authenticate'), 'Basic realm="HAProxy Statistics"');
      // HAProxy closes the connection after the stats page's 401.
      assert.equal(await conn.waitClosed(2000), true);
      const again = await HttpConnection.open(ports.secured);
      assert.equal((await again.request('GET', '/s', basic('admin:wrong'))).status, 401);
      again.destroy();
      const ok = await HttpConnection.open(ports.secured);
      assert.equal((await ok.request('GET', '/s', basic('admin:secret'))).status, 200);
      assert.equal((await ok.request('GET', '/s', basic('ops:other'))).status, 200);
      ok.destroy();
      const ops = await HttpConnection.open(ports.ops);
      assert.equal((await ops.request('GET', '/ops')).header('www-authenticate'), 'Basic realm="Operators"');
      ops.destroy();
      conn.destroy();
    });

    it('a page in a backend (use_backend), with stats scope and stats http-request deny', async () => {
      const conn = await HttpConnection.open(ports.web);
      const res = await conn.request('GET', '/monitor;csv');
      assert.equal(res.status, 200);
      assert.deepEqual(csvRows(res.text), [
        ['app', 's1', 'no check'],
        ['app', 's2', 'no check'],
        ['app', 'BACKEND', 'UP'],
      ]);
      // Other paths still reach the servers.
      assert.match((await conn.request('GET', '/')).header('x-backend') ?? '', /^[ab]$/);
      // A stats deny answers 403 and closes the connection (HAProxy's http_reply_and_close).
      assert.equal((await conn.request('GET', '/monitor/deny')).status, 403);
      assert.equal(await conn.waitClosed(2000), true);
      conn.destroy();
    });

    it('stats admin: the POST sets a server to MAINT (no traffic) and back to READY, 303 to ;st=DONE', async () => {
      const conn = await HttpConnection.open(ports.ops);
      const auth = basic('admin:secret');
      const page = await conn.request('GET', '/ops', auth);
      assert.match(page.text, /<select name=action>/);
      assert.match(page.text, /name="s" value="s2"/);
      const form = { ...auth, 'content-type': 'application/x-www-form-urlencoded' };
      const post = await conn.request('POST', '/ops', form, 's=s2&action=maint&b=app');
      assert.equal(post.status, 303);
      assert.equal(post.header('location'), '/ops;st=DONE');
      const web = await HttpConnection.open(ports.web);
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add((await web.request('GET', '/')).header('x-backend') ?? '');
      assert.deepEqual([...seen], ['a']);
      const csv = await conn.request('GET', '/ops;csv', auth);
      assert.deepEqual(csvRows(csv.text).filter((r) => r[0] === 'app'), [
        ['app', 's1', 'no check'],
        ['app', 's2', 'MAINT'],
        ['app', 'BACKEND', 'UP'],
      ]);
      // maint, ready, drain always count as done on a known server; an unknown one is not altered.
      assert.equal((await conn.request('POST', '/ops', form, 's=s2&action=maint&b=app')).header('location'), '/ops;st=DONE');
      assert.equal((await conn.request('POST', '/ops', form, 's=s2&s=nosuch&action=maint&b=app')).header('location'), '/ops;st=PART');
      assert.equal((await conn.request('POST', '/ops', form, 's=nosuch&action=maint&b=app')).header('location'), '/ops;st=ERRP');
      assert.equal((await conn.request('POST', '/ops', form, 'action=maint&b=app')).header('location'), '/ops;st=NONE');
      assert.equal((await conn.request('POST', '/ops', form, 's=s2&action=ready&b=app')).header('location'), '/ops;st=DONE');
      seen.clear();
      for (let i = 0; i < 6; i++) seen.add((await web.request('GET', '/')).header('x-backend') ?? '');
      assert.deepEqual([...seen].sort(), ['a', 'b']);
      assert.equal((await conn.request('POST', '/ops', form, 's=s2&action=maint&b=nosuch')).header('location'), '/ops;st=ERRP');
      web.destroy();
      conn.destroy();
    });

    it('a POST without admin rights is redirected with ;st=DENY', async () => {
      const conn = await HttpConnection.open(ports.secured);
      const res = await conn.request('POST', '/s', { ...basic('admin:secret'), 'content-type': 'application/x-www-form-urlencoded' }, 's=s2&action=maint&b=app');
      assert.equal(res.status, 303);
      assert.equal(res.header('location'), '/s;st=DENY');
      const csv = await conn.request('GET', '/s;csv', basic('admin:secret'));
      assert.ok(csvRows(csv.text).some((r) => r[0] === 'app' && r[1] === 's2' && r[2] === 'no check'));
      conn.destroy();
    });
  });
}
