/**
 * The master CLI on an inherited listening socket (`-W -S fd@3`, as VTest starts HAProxy): the
 * parent opens and binds the socket, the proxy only accepts on it. `show proc`, a command sent
 * to the worker with `@1`, and the master's exit status after SIGINT (130: HAProxy's master
 * reports the signal its worker died of).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/master-cli-fd.test.js
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { inheritableListener } from '../support/inheritable-listener.ts';
import { freePorts } from '../support/ports.ts';
import { proxyCommand, repoRoot } from '../support/runtimes.ts';

for (const target of TARGETS) {
  describe(`master CLI on an inherited socket (-S fd@3) on ${target}`, () => {
    let child: ChildProcess | undefined;
    let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    let stderr = '';
    let dir = '';
    let mcli = 0;

    before(async () => {
      const [web] = (await freePorts(1)) as [number];
      dir = mkdtempSync(join(tmpdir(), 'switchyard-mcli-fd-'));
      const cfg = join(dir, 'main.cfg');
      writeFileSync(cfg, `${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${web}\n    http-request return status 200\n`);
      const { server, fd, port } = await inheritableListener();
      mcli = port;
      const { command, args } = proxyCommand(target, ['-W', '-S', 'fd@3', '-f', cfg]);
      child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe', fd] });
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout?.resume();
      exited = new Promise((resolve) => child?.on('exit', (code, signal) => resolve({ code, signal })));
      // The child holds its own copy: the test's stops accepting so that every connection reaches the proxy.
      server.close();
      let up = false;
      for (let i = 0; i < 150 && !up; i++) {
        up = await cli(mcli, 'show proc\n').then((p) => /^\d+\s+worker/m.test(p), () => false);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(up, `no master CLI on fd@3\n${stderr}`);
    });

    after(async () => {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('show proc lists the master and its worker', async () => {
      const proc = await cli(mcli, 'show proc\n');
      assert.match(proc, /^\d+\s+master\s+0 \[failed: 0\]/m);
      assert.match(proc, /^# workers\n\d+\s+worker\s+0\s/m);
    });

    it('@1 sends the command to the worker', async () => {
      assert.match(await cli(mcli, '@1 show info\n'), /\nProcess_num: 1\n/);
    });

    it('SIGINT: the master leaves with status 130 once its worker is gone', async () => {
      child?.kill('SIGINT');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      const { code } = await exited;
      clearTimeout(timer);
      assert.equal(code, 130, stderr);
    });
  });
}
