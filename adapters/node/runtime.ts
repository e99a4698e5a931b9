/**
 * Node adapter: sockets on node:net / node:tls (adapters/shared/node-sockets.ts) and the
 * process services on Node's APIs (adapters/shared/node-process.ts).
 */
import { performance } from 'node:perf_hooks';
import type { Runtime, SocketFeature, TlsFeature } from '../../src/runtime.ts';
import { loadServingBuiltins, nodeCluster } from '../shared/node-builtins.ts';
import { collectGarbageNode } from '../shared/node-gc.ts';
import { nodeProcessServices } from '../shared/node-process.ts';
import { connectNode, listenInheritedNode, listenNode, listenUnixNode, NODE_NET_REUSE_PORT } from '../shared/node-sockets.ts';
import { clusterSpawnSelf } from './cluster-spawn.ts';
import { bindDatagramSocketNode, openDatagramSocketNode } from '../shared/node-datagram.ts';
import { signalProcessNode, spawnProgramNode, spawnSelfWith, writeTextFileNode } from '../shared/node-spawn.ts';
import { setIdentityNode } from '../shared/node-identity.ts';
import { bindProcessToCpusNode } from './cpu-affinity.ts';
import { parentThreadNode, startThreadNode } from './node-threads.ts';
import { NODE_UNIX_DATAGRAMS, openUnixDatagramSenderNode } from './unix-datagram.ts';
import { changeRootNode } from './change-root.ts';
import { setFdLimitNode } from './fd-limit.ts';
import { NODE_FFI } from './ffi.ts';

/**
 * node:net's setKeepAlive(true, delay) sets SO_KEEPALIVE, TCP_KEEPIDLE and then always
 * TCP_KEEPINTVL 1 s and TCP_KEEPCNT 10 (libuv): an interval or count of one's own cannot be set
 * (strace on Node 26 and 20).
 */
// node:dgram has udp4 and udp6 sockets only (Node 20 to 26): UNIX datagrams for /dev/log go
// through node:ffi where this Node has it (unix-datagram.ts), and are refused otherwise.
const SOCKET_UNSUPPORTED: ReadonlySet<SocketFeature> = new Set<SocketFeature>([
  'keepalive-interval',
  'keepalive-count',
  ...(NODE_UNIX_DATAGRAMS ? [] : (['unix-datagram'] as const)),
  ...(NODE_FFI ? [] : (['chroot'] as const)),
]);

/** node:tls takes one 48-byte (AES-128) ticket key: no AES-256 tickets (Node 20 to 26). */
const TLS_UNSUPPORTED: ReadonlySet<TlsFeature> = new Set<TlsFeature>(['tls-ticket-keys-aes256']);

export const nodeRuntime: Runtime = {
  // A configuration check never loads them (adapters/shared/node-builtins.ts); serving does, at once.
  prepareToServe: loadServingBuiltins,
  collectGarbage: collectGarbageNode,
  name: 'node',
  version: process.versions.node,
  tlsUnsupported: TLS_UNSUPPORTED,
  socketUnsupported: SOCKET_UNSUPPORTED,
  // process.versions.openssl: "3.0.19", or "3.0.7+quic" on some builds.
  tlsLibrary: { name: 'OpenSSL', opensslVersion: (process.versions.openssl ?? '').replace(/[+-].*$/, '') },
  listen: (options, onConnection) => listenNode(options, onConnection, nodeCluster().isWorker),
  listenUnix: listenUnixNode,
  listenInherited: listenInheritedNode,
  connect: connectNode,
  openDatagramSocket: openDatagramSocketNode,
  bindDatagramSocket: bindDatagramSocketNode,
  ...(NODE_UNIX_DATAGRAMS ? { openUnixDatagramSender: openUnixDatagramSenderNode } : {}),
  ...nodeProcessServices,
  // libuv's time outside the poller's wait, per event loop (each worker thread has its own).
  loopBusyTime: () => performance.eventLoopUtilization().active,
  // Before 22.12 node:net cannot set SO_REUSEPORT: workers share the master's sockets instead.
  listenerHandover: NODE_NET_REUSE_PORT ? 'reuse-port' : 'siblings',
  // The same node binary, flags and entry script (bin/switchyard.js or dist/adapters/node/main.js).
  spawnProgram: spawnProgramNode,
  spawnSelf: NODE_NET_REUSE_PORT
    ? spawnSelfWith(process.execPath, [...process.execArgv, process.argv[1] as string])
    : clusterSpawnSelf(process.execArgv, process.argv[1] as string),
  writeTextFile: writeTextFileNode,
  setIdentity: setIdentityNode,
  ...(NODE_FFI ? { changeRoot: changeRootNode, setFdLimit: setFdLimitNode } : {}),
  bindProcessToCpus: bindProcessToCpusNode,
  signalProcess: signalProcessNode,
  // Threads each listen on the ports: only where node:net sets SO_REUSEPORT.
  ...(NODE_NET_REUSE_PORT ? { startThread: () => startThreadNode(process.argv[1] as string) } : {}),
  parentThread: parentThreadNode(),
};
