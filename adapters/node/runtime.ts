/**
 * Node adapter: the runtime seam on node:net / node:tls (adapters/shared/node-sockets.ts),
 * plus timers, files, signals and the process.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import type { Runtime, SignalName, TimerHandle } from '../../src/runtime.ts';
import { connectNode, listenNode } from '../shared/node-sockets.ts';

export const nodeRuntime: Runtime = {
  name: 'node',
  version: process.versions.node,
  listen: listenNode,
  connect: connectNode,
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
  wallClock: () => Date.now(),
  readTextFile: (path) => readFile(path, 'utf8'),
  readDir: (path) => readdir(path),
  isDirectory: async (path) => (await stat(path)).isDirectory(),
  onSignal(signal: SignalName, listener: () => void) {
    process.on(signal, listener);
    return () => {
      process.off(signal, listener);
    };
  },
  env: (name) => process.env[name],
  pid: process.pid,
  writeStdout: (text) => {
    process.stdout.write(text);
  },
  writeStderr: (text) => {
    process.stderr.write(text);
  },
  exit: (code) => process.exit(code),
};
