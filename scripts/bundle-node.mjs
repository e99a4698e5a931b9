// Part of `npm run build`, after tsc: the compiled Node entry (dist/adapters/node/main.js) and
// everything it imports, as one file, dist/adapters/node/main.bundle.js, which bin/switchyard.js
// runs when it is there and newer than the compiled entry.
//
// Why: Node's ESM loader pays per module (resolve, stat, open, URL handling), and the Node entry
// loads some 600 of them: on Node 20 that was ~150 ms of a 0.33 s `-c` on a small configuration
// (HAProxy's startup/default_rules.vtc runs 17 checks in a 10 s budget). One file costs one of each.
//
// Bun's bundler (bun is already a devDependency: nothing new to install). The bundle stays in
// dist/adapters/node, so the URLs relative to import.meta.url (examples/demo.cfg in main.ts)
// resolve as from main.js. Node built-ins stay external (--target=node); the npm dependencies
// are bundled in: an external one would be imported at the top of the bundle, so valibot, which
// the CLI imports lazily (only defineConfig and the model schema use it), would load on every
// start; bundled, its module is evaluated only when the lazy import runs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'adapters', 'node', 'main.js');
const outfile = join(root, 'dist', 'adapters', 'node', 'main.bundle.js');
const bun = join(root, 'node_modules', '.bin', 'bun');

const run = spawnSync(bun, ['build', entry, '--target=node', '--format=esm', `--outfile=${outfile}`], { cwd: root, stdio: 'inherit' });
if (run.error !== undefined) throw new Error(`${bun}: ${run.error.message}`);
process.exit(run.status ?? 1);
