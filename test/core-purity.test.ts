/** src/ is the runtime-agnostic core: it may not reach the host except through src/runtime.ts. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { repoRoot } from './support/runtimes.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const FORBIDDEN: readonly [RegExp, string][] = [
  [/from\s+['"]node:/, 'imports a node: module'],
  [/import\(\s*['"]node:/, 'imports a node: module'],
  [/require\(/, 'uses require()'],
  [/\bBun\./, 'uses the Bun global'],
  [/\bDeno\./, 'uses the Deno global'],
  [/\bprocess\.(env|argv|exit|on|stdout|stderr|pid)\b/, 'uses the Node process global'],
  [/\bBuffer\./, 'uses Node Buffer'],
];

it('src/ uses no runtime-specific module or global', () => {
  const offenders: string[] = [];
  for (const file of sources(join(repoRoot, 'src'))) {
    const text = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
      .join('\n');
    for (const [pattern, why] of FORBIDDEN) if (pattern.test(text)) offenders.push(`${file}: ${why}`);
  }
  assert.deepEqual(offenders, []);
});

it('the purity check itself catches a node: import', () => {
  const sample = "import { readFile } from 'node:fs';";
  assert.ok(FORBIDDEN.some(([p]) => p.test(sample)));
});

it('package.json version matches src/version.ts', async () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const { VERSION } = await import('../src/version.ts');
  assert.equal(VERSION, pkg.version);
});
