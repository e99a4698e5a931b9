/**
 * What a configuration check (`-c`) loads on Node: HAProxy's tests run it many times in a row
 * (startup/default_rules.vtc: 17 checks in a 10 s budget), and on Node loading modules is most
 * of its time. The built-ins only serving needs (TLS, crypto, compression, processes, name
 * resolution) load at first use (adapters/shared/node-builtins.ts), and the model schema with
 * valibot and the master's modules are not loaded at all (src/config/load.ts, src/cli.ts).
 * bin/switchyard.js runs the single-file bundle where `npm run build` wrote it
 * (scripts/bundle-node.mjs): one file instead of some 600 is most of what it saves.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Runs `-c` on CONFIG through ENTRY with the hook; returns the built-ins and files it loaded. */
function footprint(entry: string): { builtins: string[]; files: string[]; hooked: boolean } {
  writeFileSync(join(dir, 'hook.mjs'), HOOK);
  writeFileSync(join(dir, 'haproxy.cfg'), CONFIG);
  const run = spawnSync(process.execPath, ['--import', join(dir, 'hook.mjs'), entry, '-c', '-f', join(dir, 'haproxy.cfg')], {
    encoding: 'utf8',
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Configuration file is valid/);
  const line = run.stderr.split('\n').find((l) => l.startsWith('FOOTPRINT '));
  assert.ok(line !== undefined, run.stderr);
  return JSON.parse(line.slice('FOOTPRINT '.length)) as { builtins: string[]; files: string[]; hooked: boolean };
}

const SERVING_BUILTINS = ['tls', '_tls_wrap', 'crypto', 'zlib', 'child_process', 'cluster', 'dns'];

// The compiled modules one by one (the bundle holds them all in one file, where only the
// built-ins show): what is imported lazily is not imported by -c.
it('-c loads neither the serving-only built-ins, nor the model schema, valibot or the master', () => {
  const { builtins, files, hooked } = footprint(`${repoRoot}dist/adapters/node/main.js`);
  assert.deepEqual(builtins.filter((b) => SERVING_BUILTINS.includes(b)), []);
  if (hooked) {
    assert.ok(files.some((f) => f.endsWith('/dist/src/config/parser.js')), 'the hook saw the modules');
    const unwanted = files.filter((f) => /\/valibot\/|\/config\/schema\.js$|\/master\/master(-cli)?\.js$|\/cli-serving\.js$/.test(f));
    assert.deepEqual(unwanted, []);
  }
});

// The bundle imports the built-ins its modules import at its top: those of lazily imported
// modules too, so this checks they still load lazily (adapters/shared/node-builtins.ts).
it('-c through bin/switchyard.js loads the bundle alone where it is built, and no serving-only built-in', () => {
  const { builtins, files, hooked } = footprint(`${repoRoot}bin/switchyard.js`);
  assert.deepEqual(builtins.filter((b) => SERVING_BUILTINS.includes(b)), []);
  // Built by `npm run build` and not left behind by a tsc run since (scripts/bundle-node.mjs).
  const bundled = readFileSync(`${repoRoot}dist/adapters/node/main.js`, 'utf8').includes('// bundled: ');
  if (hooked && bundled) {
    const ours = files.filter((f) => f.startsWith('file://') && !f.endsWith('/hook.mjs'));
    assert.deepEqual(ours, [`file://${repoRoot}bin/switchyard.js`, `file://${repoRoot}dist/adapters/node/main.bundle.js`]);
  }
});
