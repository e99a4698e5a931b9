/**
 * `set server B/S addr A [port P]` answers as HAProxy 2.6.12's srv_update_addr_port: the
 * address applies before the port is read (and stays when the port is refused), the port is
 * strtol()'s value in 16 bits, every answer ends with " by 'stats socket command'".
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/set-server-addr.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { cli, statRows } from '../support/cli-client.ts';
import { destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

for (const target of TARGETS) {
  describe(`set server addr on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let api = 0;
    let open = 0;
    let closed = 0;
    let listener: Server | undefined;

    before(async () => {
      const [fe, port, openPort, closedPort] = (await freePorts(4)) as [number, number, number, number];
      [api, open, closed] = [port, openPort, closedPort];
      listener = createServer((socket) => {
        socket.on('error', () => {});
        socket.destroy();
      });
      await new Promise<void>((resolve) => listener?.listen(open, '127.0.0.1', resolve));
      proxy = await startProxy(
        target,
        [
          'global',
          `    stats socket 127.0.0.1:${api} level admin`,
          HTTP_DEFAULTS,
          'backend web',
          '    server s1 127.0.0.1:8080',
          `    server s2 127.0.0.1:${open} check inter 100ms`,
          'frontend fe',
          `    bind 127.0.0.1:${fe}`,
          '    default_backend web',
          '',
        ].join('\n'),
      );
    });

    after(async () => {
      destroyAllClients();
      // The check's DOWN and UP lines are warnings: stopped without the reference run's no-warning check.
      await proxy?.stop();
      listener?.close();
    });

    it("moves the server's health check too", async () => {
      const status = async (): Promise<string> => (await statRows(api)).find((r) => r['pxname'] === 'web' && r['svname'] === 's2')?.['status'] ?? '';
      const until = async (want: string): Promise<void> => {
        const deadline = performance.now() + 10_000;
        while (!(await status()).startsWith(want)) {
          if (performance.now() > deadline) assert.fail(`s2 not ${want}: ${await status()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      await until('UP');
      await cli(api, `set server web/s2 addr 127.0.0.1 port ${closed}\n`);
      await until('DOWN');
      await cli(api, `set server web/s2 addr 127.0.0.1 port ${open}\n`);
      await until('UP');
    });

    it("answers each change and refusal with HAProxy's text", async () => {
      const steps: [string, string][] = [
        ['set server web/s1 addr x', "Invalid addr 'x' by 'stats socket command'"],
        ['set server web/s1 addr 1.2.3', "Invalid addr '1.2.3' by 'stats socket command'"],
        ['set server web/s1 addr 127.0.0.2 port x', "IP changed from '127.0.0.1' to '127.0.0.2', problem converting port 'x' to an int by 'stats socket command'"],
        ['set server web/s1 addr 127.0.0.2 port 99999', "no need to change the addr, port changed from '8080' to '34463' by 'stats socket command'"],
        ['set server web/s1 addr ::1', "IP changed from '127.0.0.2' to '::1' by 'stats socket command'"],
        ['set server web/s1 addr 127.0.0.3 port 81', "IP changed from '::1' to '127.0.0.3', port changed from '34463' to '81' by 'stats socket command'"],
        ['set server web/s1 addr 127.0.0.3 port 81', "no need to change the addr, no need to change the port by 'stats socket command'"],
        ['set server web/s1 addr', 'set server <b>/<s> addr requires an address and optionally a port.'],
      ];
      for (const [command, answer] of steps) assert.equal(await cli(api, `${command}\n`), `${answer}\n\n`, command);
    });
  });
}
