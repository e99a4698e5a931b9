/**
 * `-D -p PIDFILE` (daemon mode), as init scripts start HAProxy: the command returns 0 once the
 * pid file names the daemon, which serves in the background and stops on SIGTERM.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/daemon.test.js
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';
import { proxyCommand, repoRoot } from '../support/runtimes.ts';
import { processAlive } from '../support/proxy-process.ts';


for (const target of TARGETS) {
  describe(`daemon mode on ${target}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-daemon-'));
    let pid = 0;

    after(() => {
      destroyAllClients();
      if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('-D returns once the pid file names the daemon, which serves until SIGTERM', async () => {
      const [port] = await freePorts(1);
      const cfg = join(dir, 'main.cfg');
      const pidFile = join(dir, 'pid');
      writeFileSync(cfg, `${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n    http-request return status 200 content-type text/plain string "daemon"\n`);
      const { command, args } = proxyCommand(target, ['-D', '-p', pidFile, '-f', cfg]);
      // HAProxy's -db (which the suite adds to stay in the foreground) would cancel -D.
      const child = spawn(command, args.filter((a) => a !== '-db'), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      assert.equal(code, 0, stderr);
      pid = Number(readFileSync(pidFile, 'latin1').trim());
      assert.ok(pid > 0 && pid !== child.pid && processAlive(pid), `pid file: ${pid}`);
      let text = '';
      const serving = await eventually(() => {
        void HttpConnection.open(port as number)
          .then(async (conn) => {
            try {
              text = (await conn.request('GET', '/')).text;
            } finally {
              conn.destroy();
            }
          })
          .catch(() => undefined);
        return text === 'daemon';
      }, 20_000, 200);
      assert.ok(serving, 'the daemon does not serve');
      process.kill(pid, 'SIGTERM');
      assert.ok(await eventually(() => !processAlive(pid), 15_000, 100), 'the daemon did not stop');
    });
  });
}
