/**
 * A UDP syslog target nobody listens on: each datagram draws an ICMP "port unreachable", which
 * some runtimes report on the next send (Bun threw it, and the process ended). The proxy keeps
 * serving, the log lines are lost, as HAProxy loses them.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/syslog-dead-server.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

for (const target of TARGETS) {
  describe(`a syslog server that is down on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe = 0;

    before(async () => {
      const [port, closed] = (await freePorts(2)) as [number, number];
      fe = port;
      proxy = await startProxy(
        target,
        ['global', `    log 127.0.0.1:${closed} local0`, HTTP_DEFAULTS, '    log global', 'frontend fe', `    bind 127.0.0.1:${fe}`, '    http-request return status 200 content-type text/plain string ok', ''].join('\n'),
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
    });

    it('every request is served, and the process is still there', async () => {
      for (let i = 0; i < 20; i++) {
        const conn = await HttpConnection.open(fe);
        try {
          assert.equal((await conn.request('GET', `/${i}`)).status, 200);
        } finally {
          conn.destroy();
        }
        // Give each refusal time to come back before the next line is sent.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal((proxy as ProxyProcess).child.exitCode, null);
    });
  });
}
