import { runCli } from '../../src/cli.ts';
import { bunRuntime } from './runtime.ts';
// A file import: its path here, and embedded by `bun build --compile` (npm run package), so the
// single-file executable runs the demo too.
import demoConfig from '../../examples/demo.cfg' with { type: 'file' };

await runCli(bunRuntime, Bun.argv.slice(2), { demoConfig });
