/**
 * Master-worker mode (`-W`) and the master CLI (`-S`) through the real program: the master
 * starts a worker that serves, `show proc` lists both, `@1` / `@!PID` send a command to the
 * worker, `reload` replaces the worker while traffic goes on, and a stop signal to the master
 * ends everything.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/master-worker.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';


/** The PIDs `show proc` lists as workers (current ones only). */
function workers(showProc: string): number[] {
  const lines = showProc.split('\n');
  const from = lines.indexOf('# workers');
  const pids: number[] = [];
  for (const line of lines.slice(from + 1)) {
    if (line.startsWith('#') || line === '') break;
    pids.push(Number(line.split(/\s+/)[0]));
  }
  return pids;
}

for (const target of TARGETS) {
  describe(`master-worker mode on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let master: string;
    let web: number;
    let stats: number;
    let cfg: string;
    // A TCP stats socket: the new worker of a reload binds it beside the old one (SO_REUSEPORT).
    const config = (answer: string): string => `
global
    stats socket 127.0.0.1:${stats} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    http-request return status 200 content-type text/plain string "${answer}"
`;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-mworker-'));
      master = join(dir, 'master.sock');
      [web, stats] = (await freePorts(2)) as [number, number];
      // The configuration is a file of the test's own, so that a reload can find it changed.
      cfg = join(dir, 'main.cfg');
      writeFileSync(cfg, config('served'));
      proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-S', master, '-p', join(dir, 'pid')], 20_000, web);
      // HAProxy's master holds the listeners before its CLI is up: wait for the CLI too.
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await cli(master, 'show proc\n').then((p) => workers(p).length === 1, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
    });

    after(async () => {
      destroyAllClients();
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, `master exit code\n${proxy?.stderr}`);
      rmSync(dir, { recursive: true, force: true });
    });

    async function served(): Promise<string> {
      const conn = await HttpConnection.open(web);
      try {
        return (await conn.request('GET', '/')).text;
      } finally {
        conn.destroy();
      }
    }

    it('show proc: the master, then its worker; the pid file holds the master', async () => {
      const proc = await cli(master, 'show proc\n');
      const lines = proc.split('\n');
      assert.equal(lines[0], `#${'<PID>'.padEnd(14)} ${'<type>'.padEnd(15)} ${'<reloads>'.padEnd(15)} ${'<uptime>'.padEnd(15)} ${'<version>'.padEnd(15)}`);
      assert.match(lines[1] ?? '', /^(\d+) +master +0 \[failed: 0\] +\dd\d\dh\d\dm\d\ds +\S+ *$/);
      assert.equal(lines[2], '# workers');
      assert.match(lines[3] ?? '', /^\d+ +worker +0 +\dd\d\dh\d\dm\d\ds +\S+ *$/);
      assert.ok(proc.includes('\n# programs\n'), proc);
      assert.equal(readFileSync(join(dir, 'pid'), 'latin1').trim(), lines[1]?.split(/\s+/)[0]);
      assert.equal(await served(), 'served');
    });

    it('@1 and @!PID send a command to the worker; several commands on one line', async () => {
      assert.match(await cli(master, '@1 show info\n'), /\nProcess_num: 1\n/);
      const pid = workers(await cli(master, 'show proc\n'))[0];
      assert.match(await cli(master, `@!${pid} show info\n`), new RegExp(`\\nPid: ${pid}\\n`));
      assert.equal(await cli(master, '@1 show cli level;@1 show cli level\n'), 'admin\n\nadmin\n\n');
    });

    it('reload: a new worker serves, the master counts the reload', async () => {
      const before = workers(await cli(master, 'show proc\n'));
      assert.equal(before.length, 1);
      await cli(master, 'reload\n');
      let proc = '';
      const replaced = await eventually(() => {
        void cli(master, 'show proc\n').then((p) => (proc = p), () => undefined);
        const now = workers(proc);
        return now.length === 1 && now[0] !== before[0] && /master +1 \[failed: 0\]/.test(proc);
      }, 15_000, 200);
      assert.ok(replaced, proc);
      assert.ok(await eventually(() => true, 0));
      let ok = '';
      await eventually(() => {
        void served().then((t) => (ok = t), () => undefined);
        return ok === 'served';
      }, 10_000, 100);
      assert.equal(ok, 'served');
      // The new worker's runtime API answers on the same address.
      assert.match(await cli(stats, 'show info\n'), new RegExp(`^Pid: ${workers(proc)[0]}$`, 'm'));
    });

    it('a reload with a broken configuration keeps the worker; a fixed one is taken', async () => {
      const before = workers(await cli(master, 'show proc\n'));
      writeFileSync(cfg, `${config('served')}\nfrontend broken\n    bind 127.0.0.1:${web}\n    no-such-keyword\n`);
      await cli(master, 'reload\n');
      let proc = '';
      const failed = await eventually(() => {
        void cli(master, 'show proc\n').then((p) => (proc = p), () => undefined);
        return /\[failed: 1\]/.test(proc);
      }, 15_000, 200);
      assert.ok(failed, proc);
      assert.deepEqual(workers(proc), before);
      assert.equal(await served(), 'served');
      writeFileSync(cfg, config('reloaded'));
      await cli(master, 'reload\n');
      let text = '';
      const taken = await eventually(() => {
        void served().then((t) => (text = t), () => undefined);
        return text === 'reloaded';
      }, 15_000, 100);
      assert.ok(taken, text);
    });
  });
}
