/**
 * Node adapter: sockets on node:net / node:tls (adapters/shared/node-sockets.ts) and the
 * process services on Node's APIs (adapters/shared/node-process.ts).
 */
import type { Runtime } from '../../src/runtime.ts';
import { nodeProcessServices } from '../shared/node-process.ts';
import { connectNode, listenNode, listenUnixNode } from '../shared/node-sockets.ts';
import { openDatagramNode } from '../shared/node-datagram.ts';

export const nodeRuntime: Runtime = {
  name: 'node',
  version: process.versions.node,
  listen: listenNode,
  listenUnix: listenUnixNode,
  connect: connectNode,
  openDatagramSender: openDatagramNode,
  ...nodeProcessServices,
};
