import { fileURLToPath } from 'node:url';
import { nodeRuntime } from './runtime.ts';

if (nodeRuntime.parentThread !== undefined) {
  // A thread of `nbthread N`: the main thread sends it the configuration to serve.
  const { runThread } = await import('../../src/threads/thread-worker.ts');
  runThread(nodeRuntime, nodeRuntime.parentThread);
} else {
  const { runCli } = await import('../../src/cli.ts');
  // Compiled to dist/adapters/node/main.js: the package root is three levels up.
  const demoConfig = fileURLToPath(new URL('../../../examples/demo.cfg', import.meta.url));
  await runCli(nodeRuntime, process.argv.slice(2), { demoConfig });
}
