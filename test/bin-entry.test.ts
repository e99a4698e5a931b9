/**
 * Which build bin/switchyard.js runs: the single-file bundle (scripts/bundle-node.mjs) where it is
 * there and not older than the compiled entry, else the compiled modules; and the compiled modules
 * with a configuration module (-f x.ts/.mjs), which imports defineConfig from dist/src and must
 * share its classes with the CLI. Checked on a copy of bin/switchyard.js beside two stand-in
 * entries that print their name.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { repoRoot } from './support/runtimes.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-bin-'));
const adapter = join(dir, 'dist', 'adapters', 'node');
const compiled = join(adapter, 'main.js');
const bundle = join(adapter, 'main.bundle.js');

before(() => {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(adapter, { recursive: true });
  copyFileSync(join(repoRoot, 'bin', 'switchyard.js'), join(dir, 'bin', 'switchyard.js'));
  writeFileSync(compiled, "process.stdout.write('compiled');\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the stand-in bundle (or removes it), its modification time `offset` seconds from the compiled entry's. */
function setBundle(offset: number | undefined): void {
  rmSync(bundle, { force: true });
  if (offset === undefined) return;
  writeFileSync(bundle, "process.stdout.write('bundle');\n");
  const base = new Date('2026-01-01T00:00:00Z');
  utimesSync(compiled, base, base);
  const time = new Date(base.getTime() + offset * 1000);
  utimesSync(bundle, time, time);
}

function entryRun(...args: string[]): string {
  const run = spawnSync(process.execPath, [join(dir, 'bin', 'switchyard.js'), ...args], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

it('runs the bundle when it is as new as the compiled entry or newer', () => {
  setBundle(0);
  assert.equal(entryRun('-c', '-f', 'haproxy.cfg'), 'bundle');
  setBundle(5);
  assert.equal(entryRun('-c', '-f', 'haproxy.cfg'), 'bundle');
});

it('runs the compiled modules without a bundle, or with one older than them (tsc ran since)', () => {
  setBundle(undefined);
  assert.equal(entryRun('-c', '-f', 'haproxy.cfg'), 'compiled');
  setBundle(-5);
  assert.equal(entryRun('-c', '-f', 'haproxy.cfg'), 'compiled');
});

it('runs the compiled modules for a configuration module', () => {
  setBundle(5);
  for (const file of ['conf.ts', 'conf.mts', 'conf.js', 'conf.mjs']) assert.equal(entryRun('-f', file), 'compiled', file);
  assert.equal(entryRun('-c', '-f', 'conf.cfg'), 'bundle');
});
