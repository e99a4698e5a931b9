/**
 * Black-box conformance of `log-format-sd`: the STRUCTURED-DATA field of a frontend's rfc5424
 * syslog lines (`-` without it), against HAProxy 2.6, whose lines differ only in the tag.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/syslog-sd.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d\\d:\\d\\d';

for (const target of TARGETS) {
  describe(`log-format-sd on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: number[];
    let withSd: UdpSyslogReceiver;
    let without: UdpSyslogReceiver;

    before(async () => {
      ports = await freePorts(2);
      withSd = await udpSyslogReceiver();
      without = await udpSyslogReceiver();
      proxy = await startProxy(
        target,
        `
${HTTP_DEFAULTS}
frontend sd
    bind 127.0.0.1:${ports[0]}
    log 127.0.0.1:${withSd.port} format rfc5424 local0
    log-format "line %HP %ST"
    log-format-sd "[x@1 path=\\"%HP\\"]  "
    http-request return status 200
frontend plain
    bind 127.0.0.1:${ports[1]}
    log 127.0.0.1:${without.port} format rfc5424 local0
    log-format "line %HP %ST"
    http-request return status 200
`,
      );
    });

    after(async () => {
      destroyAllClients();
      try {
        await stopProxy(target, proxy);
      } finally {
        withSd.socket.close();
        without.socket.close();
      }
    });

    it('fills the rfc5424 STRUCTURED-DATA field (trailing spaces trimmed), and writes - without it', async () => {
      for (const port of ports) {
        const conn = await HttpConnection.open(port as number);
        assert.equal((await conn.request('GET', '/sd')).status, 200);
        conn.destroy();
      }
      const traffic = (lines: string[]): string[] => lines.filter((l) => !l.includes('<BADREQ>'));
      await eventually(() => traffic(withSd.lines).length >= 1 && traffic(without.lines).length >= 1, 5000);
      const tag = target === 'haproxy' ? 'haproxy' : 'switchyard';
      // local0 (16) * 8 + info (6) = 134; no host name: '-'; MSGID '-'.
      const header = new RegExp(`^<134>1 ${ISO} - ${tag} \\d+ - `);
      assert.deepEqual(traffic(withSd.lines).map((l) => l.replace(header, 'HEADER ')), ['HEADER [x@1 path="/sd"] line /sd 200\n']);
      assert.deepEqual(traffic(without.lines).map((l) => l.replace(header, 'HEADER ')), ['HEADER - line /sd 200\n']);
    });
  });
}
