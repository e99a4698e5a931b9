import { bunRuntime } from './runtime.ts';
// A file import: its path here, and embedded by `bun build --compile` (npm run package), so the
// single-file executable runs the demo too.
import demoConfig from '../../examples/demo.cfg' with { type: 'file' };

if (bunRuntime.parentThread !== undefined) {
  // A thread of `nbthread N`: the main thread sends it the configuration to serve.
  const { runThread } = await import('../../src/threads/thread-worker.ts');
  runThread(bunRuntime, bunRuntime.parentThread);
} else {
  const { runCli } = await import('../../src/cli.ts');
  await runCli(bunRuntime, Bun.argv.slice(2), { demoConfig });
}
