#!/usr/bin/env node
// Production entry for Node: runs the compiled core (dist/ is built by `npm run build`,
// which `npm install`/`npm ci` run through the prepare script), no TypeScript loader needed.
import module from 'node:module';

// Node >= 22.1 keeps V8's compiled code of the modules it loads (in the OS temp directory,
// `node-compile-cache`, or where NODE_COMPILE_CACHE says; NODE_DISABLE_COMPILE_CACHE=1 turns it
// off), so a start or a configuration check after the first compiles little. Node 20 has no
// such cache: the call is skipped there.
try {
  module.enableCompileCache?.();
} catch {
  // A cache that cannot be set up only costs the compilation it would have saved.
}
await import('../dist/adapters/node/main.js');
