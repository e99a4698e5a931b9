/**
 * SIGHUP to a serving process (no -W master): HAProxy 2.6's sig_dump_state (and SIGUSR2 ignored). The states of every
 * proxy and server on stderr ([WARNING] lines) and at LOG_NOTICE to each proxy's log targets,
 * not a reload.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/sighup-state-dump.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

for (const target of TARGETS) {
  describe(`SIGHUP dumps the server states on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let app: HttpTestBackend;
    let syslog: UdpSyslogReceiver;
    let fe = 0;

    before(async () => {
      const [appPort, fePort, closed] = (await freePorts(3)) as [number, number, number];
      fe = fePort;
      app = await appBackend(appPort, 'app');
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(
        target,
        [
          'global',
          `    log 127.0.0.1:${syslog.port} local0`,
          HTTP_DEFAULTS,
          'frontend fe',
          `    bind 127.0.0.1:${fe}`,
          '    default_backend be',
          'backend be',
          '    log global',
          `    server up 127.0.0.1:${appPort}`,
          `    server down 127.0.0.1:${closed} check inter 200`,
          `    server spare 127.0.0.1:${appPort} backup`,
          'backend empty',
          '',
        ].join('\n'),
      );
    });

    after(async () => {
      destroyAllClients();
      // HAProxy's SIGHUP lines are warnings: stopped without the reference run's no-warning check.
      await proxy?.stop();
      await app.close();
      syslog.socket.close();
    });

    it('prints each server and proxy line, and logs them to the proxy log targets', async () => {
      const running = proxy as ProxyProcess;
      await eventually(() => /Server be\/down is DOWN/.test(running.stderr), 15_000, 50);
      // Kept open across the dump: the frontend shows it as its one active connection.
      const conn = await HttpConnection.open(fe);
      assert.equal((await conn.request('GET', '/')).status, 200);
      process.kill(running.pid, 'SIGHUP');
      const expected = [
        'SIGHUP received, dumping servers states.',
        // tot(FE): HAProxy also counts the test harness's readiness probe
        'SIGHUP: Proxy fe has no servers. Conn: act(FE+BE): 1+0, 0 pend (0 unass), tot(FE+BE): N+0.',
        'SIGHUP: Server be/up is UP. Conn: 0 act, 0 pend, 1 tot.',
        'SIGHUP: Server be/down is DOWN. Conn: 0 act, 0 pend, 0 tot.',
        'SIGHUP: Server be/spare is UP. Conn: 0 act, 0 pend, 0 tot.',
        'SIGHUP: Proxy be has 1 active servers and 1 backup servers available. Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 0+1.',
        'SIGHUP: Proxy empty has no servers. Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 0+0.',
      ];
      await eventually(() => running.stderr.includes('SIGHUP: Proxy empty'), 10_000, 50);
      const printed = running.stderr
        .split('\n')
        .filter((l) => l.includes('SIGHUP'))
        .map((l) => l.replace(/^\[WARNING\]\s+\(\d+\) : /, ''))
        .filter((l) => !l.includes('<HTTPCLIENT>'))
        .map((l) => l.replace(/tot\(FE\+BE\): [12]\+0\.$/, (m) => (l.includes('Proxy fe ') ? 'tot(FE+BE): N+0.' : m)));
      assert.deepEqual(printed, expected);
      // The backend logs (log global); the frontend has no log line: nothing of it reaches syslog.
      await eventually(() => syslog.lines.some((l) => l.includes('SIGHUP: Proxy be has')), 10_000, 50);
      // (HAProxy's internal <HTTPCLIENT> proxy logs to the global targets too; Switchyard has none.)
      const logged = syslog.lines.filter((l) => l.includes('SIGHUP') && !l.includes('<HTTPCLIENT>')).map((l) => l.replace(/^<(\d+)>.*?\]: /, '<$1>').trimEnd());
      assert.deepEqual(logged, [
        '<133>SIGHUP received, dumping servers states for proxy be.',
        `<133>${expected[2]}`,
        `<133>${expected[3]}`,
        `<133>${expected[4]}`,
        `<133>${expected[5]}`,
      ]);
      conn.destroy();
      // Still serving: a dump, not a stop or a reload.
      const again = await HttpConnection.open(fe);
      try {
        assert.equal((await again.request('GET', '/')).status, 200);
      } finally {
        again.destroy();
      }
    });

    it('ignores SIGUSR2, as HAProxy does without a master (whose reload signal it is)', async () => {
      const running = proxy as ProxyProcess;
      process.kill(running.pid, 'SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const conn = await HttpConnection.open(fe);
      try {
        assert.equal((await conn.request('GET', '/')).status, 200);
      } finally {
        conn.destroy();
      }
      assert.equal(running.child.exitCode, null);
    });
  });
}
