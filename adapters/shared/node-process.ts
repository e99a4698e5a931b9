/**
 * The process side of the seam (timers, clock, name resolution, files, signals, environment,
 * stdio, exit) on Node's APIs, which Bun implements as well; the Node and Bun adapters share it
 * (Bun resolves names its own way). Deno's adapter uses Deno's own APIs for these.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Runtime, SignalName, TimerHandle } from '../../src/runtime.ts';
import { digestNode } from './node-digest.ts';
import { publicKeyNode } from './node-public-key.ts';
import { privateKeyNode } from './node-private-key.ts';
import { lookupNode } from './node-dns.ts';
import { createZlibCompressor } from './zlib-compressor.ts';

export type ProcessServices = Omit<Runtime, 'name' | 'version' | 'listen' | 'listenUnix' | 'connect' | 'openDatagramSocket' | 'bindDatagramSocket'>;

export const nodeProcessServices: ProcessServices = {
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  afterIo: (callback) => void setImmediate(callback),
  clearTimer: (handle: TimerHandle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
  wallClock: () => Date.now(),
  lookup: lookupNode,
  readTextFile: (path) => readFile(path, 'utf8'),
  digest: digestNode,
  publicKey: publicKeyNode,
  privateKey: privateKeyNode,
  createCompressor: createZlibCompressor,
  readFile: async (path) => new Uint8Array(await readFile(path)),
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
  hostname: hostname(),
  writeStdout: (data) => {
    process.stdout.write(data);
  },
  writeStderr: (data) => {
    process.stderr.write(data);
  },
  exit: (code) => process.exit(code),
};
