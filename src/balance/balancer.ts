import type { Server } from '../proxy/server.ts';

/**
 * One load-balancing algorithm over one backend's servers (HAProxy's lb_ops). Implementations
 * live one per file beside this one and are chosen by `balance` in the config.
 */
export interface Balancer {
  /**
   * The next server for a new session, skipping `avoid` when another is available (used when
   * redispatching after a failure), or undefined when no server can take it.
   */
  pick(avoid: Server | undefined): Server | undefined;
  /** Servers' status or weight changed: rebuild whatever the algorithm precomputed. */
  refresh(): void;
}

/**
 * The servers eligible for new traffic as HAProxy chooses them: active servers that are UP;
 * when none is, the first UP backup (HAProxy's default without `option allbackups`).
 */
export function eligibleServers(servers: readonly Server[]): Server[] {
  const active = servers.filter((s) => !s.backup && s.status === 'UP' && s.weight > 0);
  if (active.length > 0) return active;
  const backup = servers.find((s) => s.backup && s.status === 'UP' && s.weight > 0);
  return backup ? [backup] : [];
}
