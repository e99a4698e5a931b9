/**
 * HAProxy's abort_keep_alive (http_ana.c): a server that closes without answering a request
 * the client may send again (a later request of an HTTP/1 connection) gets the client no answer
 * at all — the connection closes — and that attempt is neither logged nor counted as a failed
 * response (eresp). The first request of a connection gets a 502, logged and counted.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-abort-keep-alive.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { closingBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, buildRequest, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { statNumbers } from '../support/cli-client.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

for (const target of TARGETS) {
  describe(`abort_keep_alive on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let web: number;
    let cliPort: number;
    let backend: HttpTestBackend;
    let syslog: UdpSyslogReceiver;

    before(async () => {
      const [a, b, c] = (await freePorts(3)) as [number, number, number];
      web = a;
      cliPort = c;
      backend = await closingBackend(b);
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    log 127.0.0.1:${syslog.port} local0
    option httplog
    default_backend be

backend be
    server s1 127.0.0.1:${b}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      try {
        await stopProxy(target, proxy);
      } finally {
        await backend.close();
        syslog.socket.close();
      }
    });

    it('the first request gets a logged 502; a later one closes the connection silently, unlogged and not counted', async () => {
      const conn = await HttpConnection.open(web);
      const first = await conn.request('GET', '/first');
      assert.equal(first.status, 502);
      assert.ok(await eventually(() => syslog.lines.some((l) => l.includes('GET /first')), 5000), 'the 502 is logged');
      await conn.write(buildRequest('GET', '/later', { host: 'a.test' }));
      assert.ok(await conn.waitClosed(3000), 'the client connection is closed');
      assert.equal(conn.reader.buffered.length, 0, 'no answer');
      conn.destroy();
      assert.ok(await eventually(() => backend.requests >= 2, 3000), 'the later request reached the server');
      // A request logged after it shows the log is flowing: the silent abort's line would be there by now.
      const probe = await HttpConnection.open(web);
      await probe.request('GET', '/probe');
      probe.destroy();
      assert.ok(await eventually(() => syslog.lines.some((l) => l.includes('GET /probe')), 5000), 'the probe is logged');
      assert.deepEqual(syslog.lines.filter((l) => l.includes('GET /later')), [], 'the silent abort is not logged');
      const [eresp] = await statNumbers(cliPort, 'be', 'BACKEND', ['eresp']);
      assert.equal(eresp, 2, 'the two 502s count as failed responses, the silent abort does not');
    });
  });
}
