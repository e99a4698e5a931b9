/**
 * `program` sections in master-worker mode: the master starts each command, `show proc` lists
 * them under `# programs`, a reload starts a program again unless its section says
 * `no option start-on-reload`, and stopping the master stops them. Without -W the section is
 * refused.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/master-programs.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { processAlive, ProxyProcess, runCli } from '../support/proxy-process.ts';

interface ProgramRow {
  readonly pid: number;
  readonly reloads: number;
}

/** `# programs` rows of show proc, by name (current programs only). */
function programs(showProc: string): Map<string, ProgramRow> {
  const lines = showProc.split('\n');
  const rows = new Map<string, ProgramRow>();
  for (const line of lines.slice(lines.indexOf('# programs') + 1)) {
    if (line.startsWith('#') || line === '') break;
    const [pid, name, reloads] = line.split(/\s+/);
    rows.set(name as string, { pid: Number(pid), reloads: Number(reloads) });
  }
  return rows;
}

/** Polls `cond` until it holds; fails the test after `timeoutMs`. */
async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (performance.now() >= deadline) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}


const PROGRAMS = `
program restarted
    command sleep 60

program kept
    command sleep 60
    no option start-on-reload
`;

for (const target of TARGETS) {
  describe(`program sections on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir = '';
    let master = '';
    let config = '';

    before(async () => {
      const [web] = (await freePorts(1)) as [number];
      dir = mkdtempSync(join(tmpdir(), 'switchyard-programs-'));
      master = join(dir, 'master.sock');
      config = `${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${web}\n    http-request return status 200\n${PROGRAMS}`;
      const cfg = join(dir, 'main.cfg');
      writeFileSync(cfg, config);
      proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-S', master], 20_000, web);
      await until('two programs', async () => programs(await cli(master, 'show proc\n')).size === 2, 10_000);
    });

    after(async () => {
      await proxy?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    let before_: Map<string, ProgramRow> = new Map();

    it('show proc lists the programs in configuration order', async () => {
      const proc = await cli(master, 'show proc\n');
      assert.match(proc, /# programs\n\d+\s+restarted\s+0\s+\S+\s+-\s*\n\d+\s+kept\s+0\s+\S+\s+-/);
      before_ = programs(proc);
      for (const row of before_.values()) assert.ok(processAlive(row.pid));
    });

    it('reload: a program starts again, one with no option start-on-reload keeps running', async () => {
      await cli(master, 'reload\n');
      let after_ = new Map<string, ProgramRow>();
      // HAProxy 2.6 puts every former child, kept programs too, in the new worker's -sf list:
      // the kept program dies of that SIGUSR1 and is not started again (fixed upstream by
      // 1fead6c0c, "don't save program PIDs in oldpids"); Switchyard keeps it, as documented.
      const keptSurvives = target !== 'haproxy';
      await until('a new restarted program', async () => {
        after_ = programs(await cli(master, 'show proc\n'));
        return after_.get('restarted')?.pid !== before_.get('restarted')?.pid && after_.size === (keptSurvives ? 2 : 1);
      }, 15_000);
      assert.equal(after_.get('restarted')?.reloads, 0);
      if (keptSurvives) {
        assert.equal(after_.get('kept')?.pid, before_.get('kept')?.pid);
        assert.equal(after_.get('kept')?.reloads, 1);
      }
      await until('the old program gone', async () => !processAlive(before_.get('restarted')?.pid as number), 10_000);
    });

    it('stopping the master stops its programs', async () => {
      const rows = programs(await cli(master, 'show proc\n'));
      await proxy?.stop();
      proxy = undefined;
      for (const row of rows.values()) await until(`program ${row.pid} gone`, async () => !processAlive(row.pid), 10_000);
    });

    it('without -W the section is refused', async () => {
      const cfg = join(dir, 'standalone.cfg');
      writeFileSync(cfg, config);
      const result = await runCli(target, ['-c', '-f', cfg]);
      assert.notEqual(result.code, 0);
      assert.match(result.stdout + result.stderr, /Can't use a 'program' section without master worker mode/);
    });
  });
}
