#!/usr/bin/env node
// Production entry for Node: runs the compiled core (dist/ is built by `npm run build`,
// which `npm install`/`npm ci` run through the prepare script), no TypeScript loader needed.
import module from 'node:module';
import { existsSync, readFileSync } from 'node:fs';

// Node >= 22.1 keeps V8's compiled code of the modules it loads (in the OS temp directory,
// `node-compile-cache`, or where NODE_COMPILE_CACHE says; NODE_DISABLE_COMPILE_CACHE=1 turns it
// off), so a start or a configuration check after the first compiles little. Node 20 has no
// such cache: the call is skipped there.
try {
  module.enableCompileCache?.();
} catch {
  // A cache that cannot be set up only costs the compilation it would have saved.
}

// `npm run build` also writes the Node entry as one file (scripts/bundle-node.mjs): Node's ESM
// loader pays per module, and one file instead of some 330 (640 to serve) takes about a third
// off a start or a `-c`. The compiled modules run instead when main.js lacks the mark that script
// appends once the bundle holds it (a build by tsc alone, or a tsc run since: it rewrote main.js,
// and the bundle holds the code from before), and with a configuration module (-f x.ts/.mjs):
// that module imports defineConfig from dist/src, and the CLI reading its result must be the same
// modules (`instanceof ConfigError`), not the bundle's copy.
const compiled = new URL('../dist/adapters/node/main.js', import.meta.url);
const bundle = new URL('../dist/adapters/node/main.bundle.js', import.meta.url);
const useBundle =
  !process.argv.slice(2).some((arg) => /\.(?:ts|mts|js|mjs)$/.test(arg)) &&
  readFileSync(compiled, 'latin1').endsWith('// bundled: main.bundle.js holds this build\n') &&
  existsSync(bundle);
await import(useBundle ? bundle.href : compiled.href);
