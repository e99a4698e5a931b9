/**
 * Black-box conformance of syslog targets written with a host name (`log udp4@localhost:PORT`):
 * resolved once at startup as HAProxy 2.6 does (getaddrinfo while it reads the configuration),
 * and a name that does not resolve refuses the configuration at its line, also for -c.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/syslog-hosts.test.js
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { runCli, writeTempConfig } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

for (const target of TARGETS) {
  describe(`syslog to a host name on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe: number;
    let socket: UdpSocket;
    const lines: string[] = [];

    before(async () => {
      [fe] = (await freePorts(1)) as [number];
      socket = createSocket('udp4');
      socket.on('message', (m) => lines.push(m.toString('latin1')));
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const config = `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    log udp4@localhost:${socket.address().port} format raw local0
    log-format "line %HP %ST"
    http-request return status 200
`;
      proxy = await startProxy(target, config);
    });

    after(async () => {
      destroyAllClients();
      try {
        await stopProxy(target, proxy);
      } finally {
        socket.close();
      }
    });

    it('sends the lines to the address the name resolved to', async () => {
      const conn = await HttpConnection.open(fe);
      assert.equal((await conn.request('GET', '/named')).status, 200);
      conn.destroy();
      const traffic = (): string[] => lines.filter((l) => !l.includes('<BADREQ>'));
      await eventually(() => traffic().length >= 1, 5000);
      assert.deepEqual(traffic(), ['line /named 200\n']);
    });

    it('refuses a name that does not resolve, at its line', async () => {
      const cfg = writeTempConfig(`${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:1\n    log nosuch.invalid:514 local0\n    http-request return status 200\n`);
      try {
        const result = await runCli(target, ['-c', '-f', cfg.path]);
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /\[ALERT\].* : config : parsing \[[^\]]+:\d+\] : log : invalid address: 'nosuch\.invalid' in 'nosuch\.invalid:514'/);
      } finally {
        cfg.cleanup();
      }
    });
  });
}
