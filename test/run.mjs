// Runs every compiled test file with Node's test runner (Node 20 has no glob support for
// --test). The conformance files start the proxy under Node, Bun and Deno themselves.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testDir = join(root, 'dist', 'test');

function collect(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...collect(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const filter = process.argv.slice(2);
const files = collect(testDir).filter((f) => filter.length === 0 || filter.some((p) => relative(root, f).includes(p)));
if (files.length === 0) {
  console.error(`no test files found under ${testDir}${filter.length ? ` matching ${filter.join(', ')}` : ''}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
