/**
 * `setenv`, `unsetenv` and `resetenv` change the environment the master's programs start with,
 * as HAProxy's, which changes its own environ while parsing and forks its programs after:
 * `resetenv` keeps only the variables it names, a later `setenv` adds one again.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/master-program-environment.test.js
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';

for (const target of TARGETS) {
  describe(`program environment on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir = '';
    const saved = { keep: process.env.SY_ENV_KEEP, drop: process.env.SY_ENV_DROP };

    before(async () => {
      const [web] = (await freePorts(1)) as [number];
      dir = mkdtempSync(join(tmpdir(), 'switchyard-program-env-'));
      process.env.SY_ENV_KEEP = 'kept';
      process.env.SY_ENV_DROP = 'dropped';
      const cfg = join(dir, 'main.cfg');
      writeFileSync(
        cfg,
        `global
    setenv SY_ENV_SET one
    setenv SY_ENV_GONE soon
    resetenv PATH SY_ENV_SET SY_ENV_KEEP SY_ENV_DROP
    resetenv PATH SY_ENV_SET SY_ENV_KEEP
    setenv SY_ENV_AFTER two
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    http-request return status 200

program env
    command sh -c "env > ${dir}/env.tmp && mv ${dir}/env.tmp ${dir}/env.txt; exec sleep 60"
`,
      );
      proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W'], 20_000, web);
    });

    after(async () => {
      await proxy?.stop();
      process.env.SY_ENV_KEEP = saved.keep;
      process.env.SY_ENV_DROP = saved.drop;
      if (saved.keep === undefined) delete process.env.SY_ENV_KEEP;
      if (saved.drop === undefined) delete process.env.SY_ENV_DROP;
      rmSync(dir, { recursive: true, force: true });
    });

    it('the program sees the variables resetenv kept and those set after it', async () => {
      const file = join(dir, 'env.txt');
      assert.ok(await eventually(() => existsSync(file), 10_000, 50), 'the program wrote its environment');
      const env = new Map(
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('SY_ENV_') || line.startsWith('HOME='))
          .map((line) => line.split('=', 2) as [string, string]),
      );
      assert.deepEqual(
        [...env].sort(),
        [
          ['SY_ENV_AFTER', 'two'],
          ['SY_ENV_KEEP', 'kept'],
          ['SY_ENV_SET', 'one'],
        ],
      );
    });
  });
}
