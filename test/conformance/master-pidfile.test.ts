/**
 * Master-worker mode writes the master's pid file before it starts anything (haproxy.c: the
 * pid file is written, then mworker_ext_launch_all starts the programs, then the worker is
 * forked): a `program` started with the master reads it at once and finds the master's PID.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/master-pidfile.test.js
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';

for (const target of TARGETS) {
  describe(`the -W pid file on ${target}`, () => {
    let dir = '';
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('holds the master PID before the programs and the worker start', async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-mwpid-'));
      const pidFile = join(dir, 'pid');
      const seen = join(dir, 'seen');
      const [web] = (await freePorts(1)) as [number];
      const cfg = join(dir, 'main.cfg');
      // The program copies the pid file as soon as it runs (before the worker is started).
      writeFileSync(
        cfg,
        `${HTTP_DEFAULTS}\nprogram probe\n    command /bin/sh -c "cat ${pidFile} > ${seen} 2>&1; exec sleep 20"\nfrontend fe\n    bind 127.0.0.1:${web}\n    http-request return status 200\n`,
      );
      const proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-p', pidFile], 20_000, web);
      try {
        assert.ok(await eventually(() => existsSync(seen) && readFileSync(seen, 'latin1') !== '', 10_000, 50), 'the program did not run');
        assert.equal(readFileSync(seen, 'latin1'), `${proxy.pid}\n`);
        assert.equal(readFileSync(pidFile, 'latin1'), `${proxy.pid}\n`);
      } finally {
        await proxy.stop();
      }
    });
  });
}
