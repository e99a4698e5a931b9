/**
 * A reload whose configuration file did not change but a file it names did (a map): the new
 * worker serves the new map. Switchyard's spare parses the configuration while it stands by
 * and takes that parse at the go only when every file it read reads the same bytes again
 * (src/master/prepared-config.ts); HAProxy parses at each reload. Then the configuration
 * itself, rewritten just before the reload: its new answer is served.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { bodyOrUndefined, destroyAllClients, untilBody } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

// The master's trace lines (src/master/reload-trace.ts) tell when a spare finished its parse.
process.env.SWITCHYARD_RELOAD_TRACE = '1';

for (const target of TARGETS) {
  describe(`reload with an unchanged configuration on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let master: string;
    let web: number;
    let cfg: string;
    let map: string;
    const config = (prefix: string): string => `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    http-request return status 200 content-type text/plain lf-string "${prefix}%[path,map(${map},none)]"
`;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-reload-prepared-'));
      master = join(dir, 'master.sock');
      [web] = (await freePorts(1)) as [number];
      cfg = join(dir, 'main.cfg');
      map = join(dir, 'answers.map');
      writeFileSync(map, '/ one\n');
      writeFileSync(cfg, config(''));
      proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-S', master], 20_000, web);
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const served = (): Promise<string | undefined> => bodyOrUndefined(web);

    let sparesPrepared = 0;
    /** Switchyard: the next spare parsed the files as they are now (it traces that); HAProxy has none. */
    async function spareStandsBy(): Promise<void> {
      if (target === 'haproxy') return;
      const prepared = (): number => (proxy?.stderr ?? '').split('\n').filter((l) => / s-preload-done /.test(l)).length;
      assert.ok(await eventually(() => prepared() > sparesPrepared, 20_000, 50), `no spare stood by\n${proxy?.stderr}`);
      sparesPrepared = prepared();
    }

    async function reloadServes(answer: string): Promise<void> {
      // HAProxy's master executes itself again at a reload: its CLI refuses connections meanwhile.
      for (let attempt = 1; ; attempt++) {
        try {
          await cli(master, 'reload\n');
          break;
        } catch (error) {
          if (attempt >= 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      const text = await untilBody(web, answer, 20_000);
      assert.equal(text, answer, `${answer} expected, served ${text}\n${proxy?.stderr}`);
    }

    it('the map changed, not the configuration: the reload serves the new map', async () => {
      assert.equal(await served(), 'one');
      await spareStandsBy();
      // The spare parsed the files with the old map: the go must read it again and parse anew.
      writeFileSync(map, '/ two\n');
      await reloadServes('two');
    });

    it('neither changed: the reload serves the same; then the configuration rewritten just before a reload is served', async () => {
      await spareStandsBy();
      await reloadServes('two');
      await spareStandsBy();
      writeFileSync(cfg, config('new '));
      await reloadServes('new two');
    });
  });
}
