import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli.ts';
import { bunRuntime } from './runtime.ts';

// adapters/bun/main.ts runs from the sources: the package root is two levels up.
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
await runCli(bunRuntime, Bun.argv.slice(2), { packageRoot });
