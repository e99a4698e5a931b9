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
  // Not awaited: Bun 1.4.5 runs a full, synchronous garbage collection once the entry module's
  // evaluation settles (BUN_JSC_logGC=1 shows it). Awaited, that is when runCli returns: in a
  // spare, right after the reload's parse and build, 10-30 ms during which the new worker
  // answers nobody, not even its master. Here it comes at start-up, on a small heap. A
  // rejection still ends the process with status 1 (Bun's unhandled-rejection default).
  void runCli(bunRuntime, Bun.argv.slice(2), { demoConfig });
}
