import { runCli } from '../../src/cli.ts';
import { denoRuntime } from './runtime.ts';

// adapters/deno/main.ts runs from the sources (or from `deno compile --include
// examples/demo.cfg`, which keeps the file at this relative place): the package root is two
// levels up.
const demoConfig = new URL('../../examples/demo.cfg', import.meta.url).pathname;
await runCli(denoRuntime, Deno.args, { demoConfig });
