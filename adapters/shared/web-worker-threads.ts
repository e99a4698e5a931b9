/**
 * Threads of this program on the Web Worker API, which Bun and Deno both implement (`nbthread`):
 * each runs the entry module again with its own event loop; both runtimes set SO_REUSEPORT on
 * their listeners (Linux), so every thread listens on the same ports.
 */
import type { ThreadChannel, ThreadHandle } from '../../src/runtime.ts';

interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: { readonly message: string }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
}

interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

export function startWebWorkerThread(entry: string | URL): ThreadHandle {
  const WorkerClass = (globalThis as unknown as { Worker: new (url: string | URL, options: { type: 'module' }) => WorkerLike }).Worker;
  const worker = new WorkerClass(entry, { type: 'module' });
  let receiver: ((message: unknown) => void) | undefined;
  let ended: () => void = () => {};
  const exited = new Promise<void>((resolve) => {
    ended = resolve;
  });
  worker.addEventListener('message', (event) => receiver?.(event.data));
  worker.addEventListener('error', (event) => {
    console.error(`[thread] ${event.message}`);
    ended();
  });
  // Bun tells the end of a worker; Deno does not, its handle settles when terminated.
  worker.addEventListener('close', () => ended());
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (r) => {
      receiver = r;
    },
    close: () => {},
    exited,
    terminate: () => {
      worker.terminate();
      ended();
    },
  };
}

/**
 * The link of a Web Worker to the thread that started it. The caller tells whether this is a
 * worker (Bun: `!Bun.isMainThread`; Deno: a WorkerGlobalScope, which Bun does not define), and
 * how a worker ends itself where the scope has no `close()` (Bun 1.4: `process.exit()`, which
 * in a worker ends only the worker).
 */
export function parentWebWorker(isWorker: boolean, endSelf?: () => void): ThreadChannel | undefined {
  if (!isWorker) return undefined;
  const self = globalThis as unknown as Partial<WorkerScope> & Omit<WorkerScope, 'close'>;
  const close = typeof self.close === 'function' ? () => self.close?.() : endSelf;
  if (close === undefined) throw new Error('this worker scope cannot end itself');
  return {
    post: (message) => self.postMessage(message),
    onMessage: (receiver) => self.addEventListener('message', (event) => receiver(event.data)),
    close,
  };
}
