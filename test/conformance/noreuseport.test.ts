/**
 * `noreuseport`: listeners without SO_REUSEPORT, so a second process cannot bind the same
 * address beside them (HAProxy's "cannot bind socket"), where by default (SO_REUSEPORT on both
 * sides) it can; a master-worker reload still brings a new worker that serves, the old one
 * closing its listeners first.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/noreuseport.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { HttpConnection } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { processAlive, ProxyProcess, runCli, writeTempConfig } from '../support/proxy-process.ts';
import { nodeVersionOf, onNode } from '../support/runtimes.ts';

function config(port: number, noReusePort: boolean, global = ''): string {
  return `global\n${noReusePort ? '    noreuseport\n' : ''}${global}${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    http-request return status 200 content-type text/plain string ok
`;
}

async function answers(port: number): Promise<boolean> {
  const client = await HttpConnection.open(port);
  const res = await client.request('GET', '/');
  client.destroy();
  return res.status === 200;
}

/** Node before 22.12 cannot set SO_REUSEPORT at all: two processes never share a port there. */
function reusesPorts(target: string): boolean {
  const version = onNode(target as never) ? nodeVersionOf(target as 'node' | 'node-system') : undefined;
  return version === undefined || version[0] > 22 || (version[0] === 22 && version[1] >= 12);
}

for (const target of TARGETS) {
  describe(`noreuseport on ${target}`, () => {
    for (const [how, global, args] of [
      ['noreuseport', true, []],
      ['-dR', false, ['-dR']],
    ] as const) {
      it(`a second process cannot bind beside a listener opened under ${how}`, async () => {
        const [port] = (await freePorts(1)) as [number];
        const first = await ProxyProcess.start(target, config(port, global), args, 20_000, port);
        const second = writeTempConfig(config(port, false));
        try {
          const result = await runCli(target, ['-f', second.path], 20_000);
          assert.notEqual(result.code, 0, 'the second process did not start');
          assert.match(result.stderr, /cannot bind|Address already in use|EADDRINUSE/i);
          assert.ok(await answers(port), 'the first one still serves');
        } finally {
          second.cleanup();
          await first.stop();
        }
      });
    }

    it('by default two processes bind the same address (SO_REUSEPORT)', { skip: reusesPorts(target) ? false : 'this Node cannot set SO_REUSEPORT' }, async () => {
      const [port] = (await freePorts(1)) as [number];
      const first = await ProxyProcess.start(target, config(port, false), [], 20_000, port);
      let second: ProxyProcess | undefined;
      try {
        second = await ProxyProcess.start(target, config(port, false), [], 20_000, port);
        await new Promise((r) => setTimeout(r, 300));
        assert.ok(processAlive(second.pid), `the second process runs\n${second.stderr}`);
      } finally {
        await second?.stop();
        await first.stop();
      }
    });

    it('a master-worker reload under noreuseport brings a new worker that serves', async () => {
      const [port] = (await freePorts(1)) as [number];
      const dir = mkdtempSync(join(tmpdir(), 'switchyard-noreuseport-'));
      const master = join(dir, 'master.sock');
      const cfg = join(dir, 'main.cfg');
      writeFileSync(cfg, config(port, true));
      const proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-S', master], 20_000, port);
      try {
        assert.ok(await answers(port));
        const workers = (text: string) => [...text.matchAll(/^(\d+)\s+worker\s+(\d+)/gm)].map((m) => `${m[1]}/${m[2]}`);
        let before: string[] = [];
        // The master's CLI may come up after the worker's listener.
        for (const deadline = performance.now() + 10_000; before.length === 0 && performance.now() < deadline; ) {
          before = workers(await cli({ path: master }, 'show proc\n').catch(() => ''));
          if (before.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(before.length, 1, 'one worker before the reload');
        await cli({ path: master }, 'reload\n');
        let after: string[] = [];
        const deadline = performance.now() + 15_000;
        while (performance.now() < deadline) {
          after = workers(await cli({ path: master }, 'show proc\n').catch(() => ''));
          if (after.length === 1 && after[0] !== before[0] && (await answers(port).catch(() => false))) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(after.length, 1, `one worker after the reload: ${after.join(' ')}`);
        assert.notEqual(after[0], before[0], 'a new worker');
        assert.ok(await answers(port), 'it serves');
      } finally {
        await proxy.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
