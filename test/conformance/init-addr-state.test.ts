/**
 * What the runtime API shows of servers that start without an address (HAProxy 2.6): a server
 * named by host name, without `resolvers`, whose `init-addr` ends on `none` (`none`,
 * `last,none`, `libc,none` with a name that does not resolve, even a name that would) is in
 * resolution maintenance (SRV_ADMF_RMAINT, 0x20): `show servers state` prints no address ("-"),
 * admin state 32 (37 when `disabled` too) and check health 0; `show servers conn` prints "-";
 * `show stat` says "MAINT (resolution)" with an empty addr. A `disabled` server reports health
 * 0 and its check paused (8) even without `check` (srv_parse_disabled). Made ready (`enable
 * server`, `set server ... state ready`), a server without address loses its forced maintenance
 * only ("is leaving forced maintenance but remains in maintenance."). `set server addr` refuses
 * it an address ("Update for the current server address family is only supported through
 * configuration file") but takes it out of resolution maintenance all the same, as any address
 * given does, even an invalid one: UP without address, it answers 503. Drained meanwhile, it
 * stays in maintenance (admin state 40), then is UP/DRAIN.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/init-addr-state.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { cli, cliReady, statRows } from '../support/cli-client.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';

const UNRESOLVABLE = 'no-such-host.invalid';

for (const target of TARGETS) {
  describe(`servers without address at startup on ${target}`, () => {
    let dir: string;
    let sock: string;
    let port: number;
    let alone: number;
    let app: number;
    let backend: HttpTestBackend;
    let proxy: ProxyProcess | undefined;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-noaddr-'));
      sock = join(dir, 'admin.sock');
      [port, alone, app] = (await freePorts(3)) as [number, number, number];
      // Listening where `localhost` would lead: a server without address must not reach it.
      backend = await appBackend(app, 'app');
      proxy = await ProxyProcess.start(
        target,
        `
global
    stats socket ${sock} level admin
${HTTP_DEFAULTS}
listen web
    bind 127.0.0.1:${port}
    server none ${UNRESOLVABLE}:${app} init-addr none
    server last ${UNRESOLVABLE}:${app} init-addr last,none
    server libc ${UNRESOLVABLE}:${app} init-addr libc,none
    server local localhost:${app} init-addr none
    server checked ${UNRESOLVABLE}:${app} init-addr none check
    server both ${UNRESOLVABLE}:${app} init-addr none disabled
    server off 127.0.0.1:${app} disabled
    server up 127.0.0.1:${app}
listen alone
    bind 127.0.0.1:${alone}
    server local localhost:${app} init-addr none
`,
      );
      await cliReady(sock);
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('only the name libc could not resolve warns', () => {
      const warnings = (proxy?.stderr ?? '').split('\n').filter((l) => l.startsWith('[WARNING]'));
      assert.equal(warnings.length, 1, proxy?.stderr);
      assert.match(warnings[0] ?? '', /config : \[[^\]]+:\d+\] : 'server web\/libc' : could not resolve address 'no-such-host\.invalid', disabling server\.$/);
    });

    it('show servers state: no address, RMAINT, health 0', async () => {
      const dump = await cli(sock, 'show servers state web\n');
      const lines = new Map(
        dump
          .split('\n')
          .filter((l) => /^\d/.test(l) && l.includes(' '))
          .map((l) => l.split(' '))
          .map((f) => [f[3], [f[4], f[5], f[6], f[7], f[8], f[10], f[11], f[12], f[13], f[17], f[18]].join(' ')] as const),
      );
      // srv_addr op admin uweight iweight check_status check_result check_health check_state fqdn port
      assert.deepEqual(Object.fromEntries(lines), {
        none: `- 0 32 1 1 1 0 0 0 ${UNRESOLVABLE} ${app}`,
        last: `- 0 32 1 1 1 0 0 0 ${UNRESOLVABLE} ${app}`,
        libc: `- 0 32 1 1 1 0 0 0 ${UNRESOLVABLE} ${app}`,
        local: `- 0 32 1 1 1 0 0 0 localhost ${app}`,
        checked: `- 0 32 1 1 1 0 0 14 ${UNRESOLVABLE} ${app}`,
        both: `- 0 37 1 1 1 0 0 8 ${UNRESOLVABLE} ${app}`,
        off: `127.0.0.1 0 5 1 1 1 0 0 8 - ${app}`,
        up: `127.0.0.1 2 0 1 1 1 0 2 0 - ${app}`,
      });
    });

    it('show servers conn: no address', async () => {
      const rows = (await cli(sock, 'show servers conn web\n')).split('\n').filter((l) => l.startsWith('web/'));
      assert.deepEqual(
        rows.map((l) => l.split(' ').slice(0, 4).join(' ')),
        [
          `web/none 2/1 - ${app}`,
          `web/last 2/2 - ${app}`,
          `web/libc 2/3 - ${app}`,
          `web/local 2/4 - ${app}`,
          `web/checked 2/5 - ${app}`,
          `web/both 2/6 - ${app}`,
          `web/off 2/7 127.0.0.1 ${app}`,
          `web/up 2/8 127.0.0.1 ${app}`,
        ],
      );
    });

    it('show stat: MAINT (resolution), an empty addr', async () => {
      const rows = (await statRows(sock)).filter((r) => r.pxname === 'web' && r.svname !== 'FRONTEND' && r.svname !== 'BACKEND');
      assert.deepEqual(
        rows.map((r) => `${r.svname} ${r.status} ${r.addr}`),
        [
          'none MAINT (resolution) ',
          'last MAINT (resolution) ',
          'libc MAINT (resolution) ',
          'local MAINT (resolution) ',
          'checked MAINT (resolution) ',
          'both MAINT (resolution) ',
          `off MAINT 127.0.0.1:${app}`,
          `up no check 127.0.0.1:${app}`,
        ],
      );
    });

    it('made ready, a server without address stays in resolution maintenance; FMAINT alone goes', async () => {
      for (const command of ['enable server web/both', 'set server web/none state maint', 'set server web/none state ready', 'enable server web/off']) {
        assert.equal(await cli(sock, `${command}\n`), '\n', command);
      }
      const fields = async (name: string) => {
        const line = (await cli(sock, 'show servers state web\n')).split('\n').find((l) => l.split(' ')[3] === name) ?? '';
        const f = line.split(' ');
        return [f[4], f[5], f[6], f[12], f[13]].join(' ');
      };
      // srv_addr op admin check_health check_state
      assert.equal(await fields('both'), '- 0 36 0 8');
      assert.equal(await fields('none'), '- 0 32 0 0');
      assert.equal(await fields('off'), '127.0.0.1 2 4 0 8');
      const told = (proxy?.stderr ?? '')
        .split('\n')
        .filter((l) => l.startsWith('[WARNING]') && !l.includes('could not resolve'))
        .map((l) => l.replace(/^\[WARNING\] +\(\d+\) : /, ''));
      assert.deepEqual(told, [
        'Server web/both is leaving forced maintenance but remains in maintenance.',
        'Server web/none is leaving forced maintenance but remains in maintenance.',
        'Server web/off is UP/READY (leaving forced maintenance).',
      ]);
    });

    it('set server addr: no address to change, yet out of resolution maintenance, UP without address (503)', async () => {
      const by = " by 'stats socket command'";
      assert.equal((await cli(sock, 'set server alone/local addr bad\n')).trim(), `Invalid addr 'bad'${by}`);
      assert.equal(
        (await cli(sock, `set server alone/local addr 127.0.0.1 port ${app}\n`)).trim(),
        `Update for the current server address family is only supported through configuration file${by}`,
      );
      const line = (await cli(sock, 'show servers state alone\n')).split('\n').find((l) => l.split(' ')[3] === 'local') ?? '';
      const f = line.split(' ');
      // srv_addr op admin check_health fqdn port
      assert.equal([f[4], f[5], f[6], f[12], f[17], f[18]].join(' '), `- 2 0 0 localhost ${app}`);
      const told = (proxy?.stderr ?? '').split('\n').filter((l) => l.includes('alone/local'));
      assert.equal(told.length, 1, proxy?.stderr);
      assert.match(told[0] ?? '', /^\[WARNING\] +\(\d+\) : Server alone\/local \('localhost'\) is UP\/READY \(resolves again\)\.$/);
      const row = (await statRows(sock)).find((r) => r.pxname === 'alone' && r.svname === 'local');
      assert.equal(`${row?.status} ${row?.addr}`, 'no check ');
      const conn = await HttpConnection.open(alone);
      try {
        const res = await conn.request('GET', '/', { host: 'test' }, undefined, 10_000);
        assert.equal(res.status, 503);
      } finally {
        conn.destroy();
      }
      assert.equal(backend.accepted, 0);
    });

    it('drained, a server without address stays in maintenance; given an address, it is UP/DRAIN', async () => {
      assert.equal(await cli(sock, 'set server web/last state drain\n'), '\n');
      const state = async () => {
        const f = ((await cli(sock, 'show servers state web\n')).split('\n').find((l) => l.split(' ')[3] === 'last') ?? '').split(' ');
        return [f[4], f[5], f[6]].join(' ');
      };
      assert.equal(await state(), '- 0 40');
      await cli(sock, 'set server web/last addr 1.2.3.4\n');
      assert.equal(await state(), '- 2 8');
      const told = (proxy?.stderr ?? '')
        .split('\n')
        .filter((l) => l.includes('web/last') && !l.includes('could not resolve'))
        .map((l) => l.replace(/^\[WARNING\] +\(\d+\) : /, ''));
      assert.deepEqual(told, [`Server web/last ('${UNRESOLVABLE}') is UP/DRAIN (resolves again).`, 'Server web/last remains in forced drain mode.']);
    });
  });
}
