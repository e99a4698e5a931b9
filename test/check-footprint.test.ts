/**
 * What a configuration check (`-c`) loads on Node: HAProxy's tests run it many times in a row
 * (startup/default_rules.vtc: 17 checks in a 10 s budget), and on Node loading modules is most
 * of its time. The built-ins only serving needs (TLS, crypto, compression, processes, name
 * resolution) load at first use (adapters/shared/node-builtins.ts), and the model schema with
 * valibot and the master's modules are not loaded at all (src/config/load.ts, src/cli.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { repoRoot } from './support/runtimes.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-footprint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Prints, at exit, the built-ins loaded and (where node:module has registerHooks) the files. */
const HOOK = `
import module from 'node:module';
const files = [];
module.registerHooks?.({ load(url, context, next) { files.push(url); return next(url, context); } });
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  process.stderr.write('FOOTPRINT ' + JSON.stringify({ builtins, files, hooked: module.registerHooks !== undefined }) + '\\n');
});
`;

const CONFIG = `
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 5s
frontend fe
    bind 127.0.0.1:8080
    http-request set-header x-check 1
    default_backend be
backend be
    server s1 127.0.0.1:8081 check
`;

it('-c loads neither the serving-only built-ins, nor the model schema, valibot or the master', () => {
  writeFileSync(join(dir, 'hook.mjs'), HOOK);
  writeFileSync(join(dir, 'haproxy.cfg'), CONFIG);
  const run = spawnSync(process.execPath, ['--import', join(dir, 'hook.mjs'), `${repoRoot}bin/switchyard.js`, '-c', '-f', join(dir, 'haproxy.cfg')], {
    encoding: 'utf8',
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Configuration file is valid/);
  const line = run.stderr.split('\n').find((l) => l.startsWith('FOOTPRINT '));
  assert.ok(line !== undefined, run.stderr);
  const { builtins, files, hooked } = JSON.parse(line.slice('FOOTPRINT '.length)) as { builtins: string[]; files: string[]; hooked: boolean };
  const serving = ['tls', '_tls_wrap', 'crypto', 'zlib', 'child_process', 'cluster', 'dns'];
  assert.deepEqual(builtins.filter((b) => serving.includes(b)), []);
  if (hooked) {
    assert.ok(files.some((f) => f.endsWith('/dist/src/config/parser.js')), 'the hook saw the modules');
    const unwanted = files.filter((f) => /\/valibot\/|\/config\/schema\.js$|\/master\/master(-cli)?\.js$|\/cli-serving\.js$/.test(f));
    assert.deepEqual(unwanted, []);
  }
});
