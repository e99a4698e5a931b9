/**
 * Black-box conformance of syslog over UDP (`log ADDRESS[:PORT] FACILITY [LEVEL]`): one datagram
 * per traffic line, in the rfc3164 framing by default (priority from the facility and level),
 * `format raw`, and the level filter — against HAProxy 2.6, whose datagrams differ only in the
 * program name of the tag (`haproxy[PID]` there, `switchyard[PID]` here). The lines also carry
 * `be_server_timeout` and `cur_server_timeout` as the transaction ended (`set-timeout`).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/syslog.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

const PORT_NAMES = ['fe', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports, syslog: number, raw: number): string {
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    log 127.0.0.1:${syslog} local1
    log udp@127.0.0.1:${raw} format raw local0 err
    log-format "line %HP %ST %[be_server_timeout] %[cur_server_timeout]"
    http-request deny if { path /deny }
    default_backend be

backend be
    http-request set-timeout server 3s if { path /short }
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`syslog over UDP on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;
    let rfc: UdpSyslogReceiver;
    let raw: UdpSyslogReceiver;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      app = await appBackend(ports.app, 'app');
      rfc = await udpSyslogReceiver();
      raw = await udpSyslogReceiver();
      proxy = await startProxy(target, configFor(ports, rfc.port, raw.port));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
      rfc.socket.close();
      raw.socket.close();
    });

    it('one rfc3164 datagram per request; a format raw target with a level filter', async () => {
      const conn = await HttpConnection.open(ports.fe);
      assert.equal((await conn.request('GET', '/ok')).status, 200);
      assert.equal((await conn.request('GET', '/deny')).status, 403);
      assert.equal((await conn.request('GET', '/short')).status, 200);
      conn.destroy();
      // The harness's probe of the port before the test is a connection without a request (<BADREQ>).
      const traffic = () => rfc.lines.filter((l) => !l.includes('<BADREQ>'));
      await eventually(() => traffic().length >= 3, 3000);
      const tag = target === 'haproxy' ? 'haproxy' : 'switchyard';
      // local1 (17) * 8 + info (6) = 142.
      const framing = new RegExp(`^<142>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ${tag}\\[\\d+\\]: `);
      assert.deepEqual(
        traffic().map((l) => [framing.test(l), l.replace(framing, '')]),
        [
          [true, 'line /ok 200 5000 5000\n'],
          [true, 'line /deny 403 0 0\n'],
          [true, 'line /short 200 5000 3000\n'],
        ],
      );
      // The raw target takes `err` and more severe only: traffic lines are `info`.
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(raw.lines, []);
    });
  });
}
