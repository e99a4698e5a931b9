import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli.ts';
import { nodeRuntime } from './runtime.ts';

// Compiled to dist/adapters/node/main.js: the package root is three levels up.
const demoConfig = fileURLToPath(new URL('../../../examples/demo.cfg', import.meta.url));
await runCli(nodeRuntime, process.argv.slice(2), { demoConfig });
