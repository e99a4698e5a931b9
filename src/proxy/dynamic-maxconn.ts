/**
 * HAProxy's dynamic server limit (`minconn` + `fullconn`, queue.c srv_dynamic_maxconn at
 * v2.6.0): a server with `minconn` lower than its `maxconn` accepts `minconn` connections while
 * its backend is idle, and more as the backend's load (its current sessions, queued ones
 * included: beconn) approaches the backend's `fullconn`, reaching `maxconn` there:
 *
 *   limit = maxconn                                   when beconn >= fullconn
 *   limit = max(minconn, beconn * maxconn / fullconn)  otherwise (integer division)
 *
 * The queues (Backend) and the balancers see it through Server.hasSlot.
 */

/** The backend figures the limit follows. */
export interface BackendLoad {
  /** `fullconn` (configured, or the default computed from the frontends: src/config/fullconn.ts); Infinity when a frontend reaching it is unlimited. */
  readonly fullconn: number;
  /** The backend's current sessions in the process, every thread's (HAProxy's beconn). */
  readonly processSessions: number;
}

/**
 * srv_dynamic_maxconn() without the slowstart ramp, which has already lowered `maxconn` here
 * (src/health/slowstart.ts): the result never exceeds the `maxconn` given.
 */
export function dynamicMaxconn(minconn: number, maxconn: number, beconn: number, fullconn: number): number {
  if (beconn >= fullconn || minconn >= maxconn) return maxconn;
  return Math.min(maxconn, Math.max(minconn, Math.floor((beconn * maxconn) / fullconn)));
}
