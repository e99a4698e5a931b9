#!/usr/bin/env node
// Production entry for Node: runs the compiled core (dist/ is built by `npm run build`,
// which `npm install`/`npm ci` run through the prepare script), no TypeScript loader needed.
import '../dist/adapters/node/main.js';
