import { runCli } from '../../src/cli.ts';
import { bunRuntime } from './runtime.ts';

await runCli(bunRuntime, Bun.argv.slice(2));
