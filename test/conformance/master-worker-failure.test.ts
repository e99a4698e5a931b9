/**
 * A worker that dies in master-worker mode: the master logs HAProxy's lines (mworker_catch_sigchld),
 * stops every other process (exit-on-failure) and leaves with the worker's status, 128 + 9 for a
 * SIGKILL. `master-worker no-exit-on-failure` is accepted and changes nothing, as in HAProxy 2.6
 * (2.6.12 behaves so: its master forgets the option when it re-executes itself in wait mode).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/master-worker-failure.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

/** The PID of the current worker `show proc` lists, once there is one. */
async function workerPid(master: string): Promise<number> {
  for (let i = 0; i < 150; i++) {
    const proc = await cli(master, 'show proc\n').catch(() => '');
    const lines = proc.split('\n');
    const line = lines[lines.indexOf('# workers') + 1];
    if (lines.includes('# workers') && line !== undefined && /^\d+/.test(line)) return Number(line.split(/\s+/)[0]);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no worker listed');
}

for (const target of TARGETS) {
  describe(`a worker killed in master-worker mode on ${target}`, () => {
    const dirs: string[] = [];
    after(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    for (const option of ['', ' no-exit-on-failure']) {
      it(`master-worker${option}: the master stops and leaves with 137`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'switchyard-mwfail-'));
        dirs.push(dir);
        const master = join(dir, 'master.sock');
        const [web] = (await freePorts(1)) as [number];
        const cfg = join(dir, 'main.cfg');
        writeFileSync(cfg, `global\n    master-worker${option}\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${web}\n    http-request return status 200\n`);
        const proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-S', master], 20_000, web);
        try {
          const pid = await workerPid(master);
          process.kill(pid, 'SIGKILL');
          const code = await Promise.race([proxy.exited(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
          assert.equal(code, 137, proxy.stderr);
          const text = proxy.stderr;
          assert.match(text, new RegExp(`\\[ALERT\\] +\\(\\d+\\) : Current worker \\(${pid}\\) exited with code 137 \\(Killed\\)\\n`));
          assert.match(text, /\[ALERT\] +\(\d+\) : exit-on-failure: killing every processes with SIGTERM\n/);
          assert.match(text, /\[WARNING\] +\(\d+\) : All workers exited\. Exiting\.\.\. \(137\)\n/);
        } finally {
          await proxy.stop();
        }
      });
    }
  });
}
