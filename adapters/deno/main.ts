import { runCli } from '../../src/cli.ts';
import { denoRuntime } from './runtime.ts';

await runCli(denoRuntime, Deno.args);
