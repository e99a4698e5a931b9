/**
 * Log lines reach a UDP syslog server in the order they were logged, even when several are
 * logged at once: a backend's last server going DOWN logs "Server ... is DOWN" then "backend
 * ... has no server available!", and HAProxy's reg-test http_abortonclose waits for them in
 * that order (Deno's asynchronous datagram sends, several in flight, used to swap them).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/syslog-order.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

for (const target of TARGETS) {
  describe(`log lines logged together arrive in order on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let syslog: UdpSyslogReceiver;

    before(async () => {
      const [fe, dead] = (await freePorts(2)) as [number, number];
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(
        target,
        [
          HTTP_DEFAULTS,
          'frontend fe',
          `    bind 127.0.0.1:${fe}`,
          '    default_backend check',
          'backend check',
          `    log 127.0.0.1:${syslog.port} local0 debug alert`,
          `    server srv1 127.0.0.1:${dead} check inter 60s`,
          '',
        ].join('\n'),
      );
    });

    // (The DOWN warning and the alert on stderr are this test's subject: no stopProxy() check.)
    after(async () => {
      try {
        await proxy?.stop();
      } finally {
        syslog.socket.close();
      }
    });

    it('"Server check/srv1 is DOWN" comes before "backend check has no server available!"', async () => {
      assert.ok(await eventually(() => syslog.lines.length >= 2, 5000), `lines: ${JSON.stringify(syslog.lines)}`);
      const texts = syslog.lines.map((l) => l.replace(/^<\d+>.*?\]: /, ''));
      assert.match(texts[0] as string, /^Server check\/srv1 is DOWN, reason: Layer4 connection problem/);
      assert.equal((texts[1] as string).trimEnd(), 'backend check has no server available!');
      // Both at LOG_ALERT (<129> = local0.alert).
      for (const line of syslog.lines.slice(0, 2)) assert.match(line, /^<129>/);
    });
  });
}
