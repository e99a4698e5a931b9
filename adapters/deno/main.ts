import { runCli } from '../../src/cli.ts';
import { denoRuntime } from './runtime.ts';

// adapters/deno/main.ts runs from the sources: the package root is two levels up.
const packageRoot = new URL('../../', import.meta.url).pathname;
await runCli(denoRuntime, Deno.args, { packageRoot });
