// Part of `npm run build`, after tsc: the compiled Node entry (dist/adapters/node/main.js) and
// everything it imports, as one file, dist/adapters/node/main.bundle.js, which bin/switchyard.js
// runs when main.js carries the mark this script then appends to it. tsc rewrites main.js on
// every run, which drops the mark: a bundle older than the compiled modules is not run. A mark in
// the file's text, not a comparison of modification times, because unpacking the npm tarball or
// copying the tree writes the two files in either order.
//
// Why: Node's ESM loader pays per module (resolve, stat, open, URL handling), and the Node entry
// imports some 640 of them (a `-c` about 330): on Node 20 they took ~150 ms of a 0.33 s `-c`
// (HAProxy's startup/default_rules.vtc runs 17 checks in a 10 s budget). One file costs one of each.
//
// Bun's bundler (bun is already a devDependency: nothing new to install). The bundle stays in
// dist/adapters/node, so the URLs relative to import.meta.url (examples/demo.cfg in main.ts)
// resolve as from main.js. Node built-ins stay external (--target=node); the npm dependencies
// are bundled in: an external one would be imported at the top of the bundle, so valibot, which
// the CLI imports lazily (only defineConfig and the model schema use it), would load on every
// start; bundled, its module is evaluated only when the lazy import runs.
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'adapters', 'node', 'main.js');
const outfile = join(root, 'dist', 'adapters', 'node', 'main.bundle.js');
const bun = join(root, 'node_modules', '.bin', 'bun');

// bin/switchyard.js looks for this line.
const MARK = '// bundled: main.bundle.js holds this build\n';

const run = spawnSync(bun, ['build', entry, '--target=node', '--format=esm', `--outfile=${outfile}`], { cwd: root, stdio: 'inherit' });
if (run.error !== undefined) throw new Error(`${bun}: ${run.error.message}`);
if (run.status !== 0) process.exit(run.status ?? 1);
// On a line of its own: tsc ends the file with the source map comment and no newline.
if (!readFileSync(entry, 'utf8').endsWith(MARK)) appendFileSync(entry, `\n${MARK}`);
