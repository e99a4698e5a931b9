import { denoRuntime } from './runtime.ts';

if (denoRuntime.parentThread !== undefined) {
  // A thread of `nbthread N`: the main thread sends it the configuration to serve.
  const { runThread } = await import('../../src/threads/thread-worker.ts');
  runThread(denoRuntime, denoRuntime.parentThread);
} else {
  const { runCli } = await import('../../src/cli.ts');
  // adapters/deno/main.ts runs from the sources (or from `deno compile --include
  // examples/demo.cfg`, which keeps the file at this relative place): the package root is two
  // levels up.
  const demoConfig = new URL('../../examples/demo.cfg', import.meta.url).pathname;
  await runCli(denoRuntime, Deno.args, { demoConfig });
}
