/**
 * Threads of this program on node:worker_threads (`nbthread`): each runs the entry script again
 * with its own event loop. Only where node:net can set SO_REUSEPORT (Node >= 22.12), so that
 * every thread opens its own listener on the same port and the kernel spreads the connections.
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type { ThreadChannel, ThreadHandle } from '../../src/runtime.ts';

export function startThreadNode(entry: string): ThreadHandle {
  // stdout/stderr of a Node thread are relayed by the main thread; the same flags as the process.
  const worker = new Worker(entry, { execArgv: process.execArgv, argv: process.argv.slice(2) });
  let receiver: ((message: unknown) => void) | undefined;
  worker.on('message', (message: unknown) => receiver?.(message));
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    // A thread whose entry threw: its error is its end (the main thread hears the missing 'ready').
    worker.once('error', (error: Error) => process.stderr.write(`[thread] ${error.stack ?? String(error)}\n`));
  });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (r) => {
      receiver = r;
    },
    close: () => void worker.unref(),
    exited,
    terminate: () => void worker.terminate(),
  };
}

/** The link of a thread to the main thread; undefined in the main thread. */
export function parentThreadNode(): ThreadChannel | undefined {
  if (isMainThread || parentPort === null) return undefined;
  const port = parentPort;
  return {
    post: (message) => port.postMessage(message),
    onMessage: (receiver) => void port.on('message', receiver),
    close: () => port.close(),
  };
}
