/**
 * Which build bin/switchyard.js runs: the single-file bundle (scripts/bundle-node.mjs) where it is
 * there and the compiled entry carries the mark that script appends (tsc, rewriting the entry,
 * drops it), else the compiled modules; and the compiled modules
 * with a configuration module (-f x.ts/.mjs), which imports defineConfig from dist/src and must
 * share its classes with the CLI. Checked on a copy of bin/switchyard.js beside two stand-in
 * entries that print their name.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { repoRoot } from './support/runtimes.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-bin-'));
const adapter = join(dir, 'dist', 'adapters', 'node');
const compiled = join(adapter, 'main.js');
const bundle = join(adapter, 'main.bundle.js');

const COMPILED = "process.stdout.write('compiled');\n";
const MARK = '// bundled: main.bundle.js holds this build\n';

before(() => {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(adapter, { recursive: true });
  copyFileSync(join(repoRoot, 'bin', 'switchyard.js'), join(dir, 'bin', 'switchyard.js'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the stand-in entries: the compiled one with or without the mark, the bundle or none. */
function build(options: { marked: boolean; bundle: boolean }): void {
  writeFileSync(compiled, options.marked ? COMPILED + MARK : COMPILED);
  rmSync(bundle, { force: true });
  if (options.bundle) writeFileSync(bundle, "process.stdout.write('bundle');\n");
}

function entryRun(...args: string[]): string {
  const run = spawnSync(process.execPath, [join(dir, 'bin', 'switchyard.js'), ...args], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

it('runs the bundle when the compiled entry is marked as bundled', () => {
  build({ marked: true, bundle: true });
  assert.equal(entryRun('-c', '-f', 'haproxy.cfg'), 'bundle');
});

it('runs the compiled modules without a bundle, or without the mark (tsc rewrote the entry since)', () => {
  build({ marked: false, bundle: true });
  assert.equal(entryRun('-c', '-f', 'haproxy.cfg'), 'compiled');
  build({ marked: true, bundle: false });
  assert.equal(entryRun('-c', '-f', 'haproxy.cfg'), 'compiled');
});

it('runs the compiled modules for a configuration module', () => {
  build({ marked: true, bundle: true });
  for (const file of ['conf.ts', 'conf.mts', 'conf.js', 'conf.mjs']) assert.equal(entryRun('-f', file), 'compiled', file);
  assert.equal(entryRun('-c', '-f', 'conf.cfg'), 'bundle');
});
