/**
 * Servers sharing a name in a backend, told apart by an explicit `id` (HAProxy 2.6 refuses a
 * repeated name only among servers without one): both get a `show stat` row, and the runtime
 * API reaches each as `backend/#id` (the name alone reaches the first declared).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/server-ids.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

/** [svname, sid, status] of the servers of `be`. */
async function servers(port: number): Promise<string[][]> {
  const lines = (await cli(port, 'show stat\n')).split('\n').filter((l) => l.startsWith('be,') && !l.startsWith('be,BACKEND,'));
  return lines.map((l) => {
    const cells = l.split(',');
    return [cells[1] as string, cells[28] as string, cells[17] as string];
  });
}

for (const target of TARGETS) {
  describe(`servers sharing a name, told apart by id, on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let cliPort = 0;

    before(async () => {
      const [port, a, b, web] = (await freePorts(4)) as [number, number, number, number];
      cliPort = port;
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    default_backend be

backend be
    server s 127.0.0.1:${a} id 7
    server s 127.0.0.1:${b}
`,
      );
    });

    after(async () => {
      // HAProxy logs the maintenance changes this test makes as warnings: stopped without
      // stopProxy's check that the reference run printed none.
      if (target === 'haproxy') await proxy?.stop();
      else await stopProxy(target, proxy);
    });

    it('both rows, and each reachable as be/#id', async () => {
      assert.deepEqual(await servers(cliPort), [
        ['s', '7', 'no check'],
        ['s', '2', 'no check'],
      ]);
      assert.equal(await cli(cliPort, 'set server be/#2 state maint\n'), '\n');
      assert.deepEqual(await servers(cliPort), [
        ['s', '7', 'no check'],
        ['s', '2', 'MAINT'],
      ]);
      // The name alone is the first declared.
      assert.equal(await cli(cliPort, 'set server be/s state maint\n'), '\n');
      assert.equal(await cli(cliPort, 'set server be/#2 state ready\n'), '\n');
      assert.deepEqual(await servers(cliPort), [
        ['s', '7', 'MAINT'],
        ['s', '2', 'no check'],
      ]);
      assert.equal(await cli(cliPort, 'set server be/#3 state ready\n'), 'No such server.\n\n');
    });
  });
}
