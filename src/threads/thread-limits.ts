/**
 * What the threads of `nbthread N` do not share yet: configurations that use it are refused
 * when they ask for more than one thread, rather than run with a limit each thread would
 * count on its own (N times what the configuration says).
 */
import type { ConfigModel } from '../config/model.ts';

/** One alert line per refused use; none when the configuration may run in `threads` threads. */
export function threadRefusals(config: ConfigModel, threads: number): string[] {
  if (threads <= 1) return [];
  const refusals: string[] = [];
  for (const backend of config.backends) {
    for (const server of backend.servers) {
      if (server.maxconn > 0 || (server.maxqueue ?? 0) > 0) {
        // A `minconn` is a maxconn too (alone, it becomes the maxconn: src/config/resolve.ts).
        const what =
          server.minconn !== undefined
            ? `'maxconn ${server.maxconn}' and 'minconn ${server.minconn}'`
            : server.maxconn > 0
              ? `'maxconn ${server.maxconn}'`
              : `'maxqueue ${server.maxqueue ?? 0}'`;
        refusals.push(
          `config : 'nbthread ${threads}' : server '${backend.name}/${server.name}' (${server.source.file}:${server.source.line}) has ${what}: server connection limits and queues are not shared between threads yet; use 'nbthread 1'.`,
        );
      }
    }
  }
  return refusals;
}
