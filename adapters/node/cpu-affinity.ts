/**
 * `cpu-map` on Node, which has no foreign-function interface to call sched_setaffinity: the
 * process is bound with util-linux's `taskset -a` (every thread of the process; Debian and its
 * slim images have it). Single threads cannot be bound here: Node does not tell a worker
 * thread's kernel task id.
 */
import { nodeChildProcess } from '../shared/node-builtins.ts';

export function bindProcessToCpusNode(cpus: readonly number[]): boolean {
  if (cpus.length === 0) return false;
  const result = nodeChildProcess().spawnSync('taskset', ['-a', '-p', '-c', cpus.join(','), String(process.pid)], { stdio: 'ignore' });
  return result.status === 0;
}
