/**
 * spawnSelf on node:cluster, for Node releases whose node:net has no `reusePort` (before
 * 22.12): a worker forked by cluster gets its shared listening sockets from this process (the
 * master), which opens each one once and keeps it open while any worker still listens on it.
 * A reload's new worker therefore listens on the very socket the old worker accepts from, and
 * the old one can stop accepting once the new one serves: no connection is refused or reset,
 * which SO_REUSEPORT's separate accept queues cannot promise.
 *
 * SCHED_NONE: the master only holds the socket and hands it to the workers, which accept on
 * it themselves (round-robin would pass every connection through the master).
 */
import { nodeCluster } from '../shared/node-builtins.ts';
import { childHandle, spawnSelfWith } from '../shared/node-spawn.ts';
import type { ChildProcessHandle, SpawnSelfOptions } from '../../src/runtime.ts';

/**
 * `inheritFds` need nothing here: a worker's `listen({ fd })` is served by this process, which
 * holds the descriptor (node:cluster's shared handles).
 */
type SpawnSelf = (args: readonly string[], env: Readonly<Record<string, string>>, options?: SpawnSelfOptions) => ChildProcessHandle;

export function clusterSpawnSelf(execArgv: readonly string[], script: string): SpawnSelf {
  // A daemon (-D) is not a worker: it runs on its own, detached.
  const detachedSpawn = spawnSelfWith(process.execPath, [...execArgv, script]);
  return (args, env, options) => {
    if (options?.detached === true) return detachedSpawn(args, env, options);
    const cluster = nodeCluster();
    // Read by the first fork only (cluster's round-robin handles are created lazily then).
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: script, execArgv: [...execArgv], args: [...args], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return childHandle(cluster.fork({ ...env }).process);
  };
}
