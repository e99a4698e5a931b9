/**
 * Node adapter: sockets on node:net / node:tls (adapters/shared/node-sockets.ts) and the
 * process services on Node's APIs (adapters/shared/node-process.ts).
 */
import type { Runtime } from '../../src/runtime.ts';
import { nodeProcessServices } from '../shared/node-process.ts';
import { connectNode, listenNode, listenUnixNode } from '../shared/node-sockets.ts';
import { openDatagramNode, openDatagramSocketNode } from '../shared/node-datagram.ts';
import { spawnSelfWith, writeTextFileNode } from '../shared/node-spawn.ts';

export const nodeRuntime: Runtime = {
  name: 'node',
  version: process.versions.node,
  listen: listenNode,
  listenUnix: listenUnixNode,
  connect: connectNode,
  openDatagramSender: openDatagramNode,
  openDatagramSocket: openDatagramSocketNode,
  ...nodeProcessServices,
  // The same node binary, flags and entry script (bin/switchyard.js or dist/adapters/node/main.js).
  spawnSelf: spawnSelfWith(process.execPath, [...process.execArgv, process.argv[1] as string]),
  writeTextFile: writeTextFileNode,
};
