/**
 * The Node built-in modules only serving needs (TLS, crypto, compression, child processes,
 * cluster, name resolution), loaded at their first use instead of at startup: a configuration check
 * (-c), which HAProxy's tests run many times in a row, never touches them, and node:tls with
 * node:crypto alone cost a start about 15 ms on Node. Node, Bun and Deno all implement
 * `createRequire`, and a built-in module loads synchronously through it, so the seam's
 * synchronous calls (connect, digest, createCompressor) stay synchronous.
 */
import { createRequire } from 'node:module';
import type * as ChildProcess from 'node:child_process';
import type Cluster from 'node:cluster';
import type * as Crypto from 'node:crypto';
import type * as Dns from 'node:dns';
import type * as Tls from 'node:tls';
import type * as Zlib from 'node:zlib';

const load = createRequire(import.meta.url);

let tls: typeof Tls | undefined;
let crypto: typeof Crypto | undefined;
let zlib: typeof Zlib | undefined;
let childProcess: typeof ChildProcess | undefined;
let dns: typeof Dns | undefined;
let cluster: typeof Cluster | undefined;

export const nodeTls = (): typeof Tls => (tls ??= load('node:tls') as typeof Tls);
export const nodeCrypto = (): typeof Crypto => (crypto ??= load('node:crypto') as typeof Crypto);
export const nodeZlib = (): typeof Zlib => (zlib ??= load('node:zlib') as typeof Zlib);
export const nodeChildProcess = (): typeof ChildProcess => (childProcess ??= load('node:child_process') as typeof ChildProcess);
export const nodeDns = (): typeof Dns => (dns ??= load('node:dns') as typeof Dns);
/** What serving uses on every runtime (Runtime.prepareToServe): loaded before the first connection. */
export function loadServingBuiltins(): void {
  nodeTls();
  nodeCrypto();
  nodeZlib();
}

/** node:cluster (which loads node:child_process): Node 20's master-worker mode and its workers' listeners. */
export const nodeCluster = (): typeof Cluster => (cluster ??= load('node:cluster') as typeof Cluster);
