/** `npm ci` on a clean machine is how CI and newcomers install: the lock must satisfy it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { repoRoot } from './support/runtimes.ts';

it("package-lock.json records every optional platform package of deno (else npm ci refuses it; see scripts/lock-platform-packages.mjs)", () => {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { optionalDependencies?: Record<string, string> } | undefined>;
  };
  const missing = Object.keys(lock.packages['node_modules/deno']?.optionalDependencies ?? {}).filter(
    (name) => lock.packages[`node_modules/${name}`] === undefined,
  );
  assert.deepEqual(missing, []);
});
