/**
 * Traffic counters, named after the fields of HAProxy's stats CSV so the stats renderers can
 * emit them directly. Plain mutable objects: incremented on the hot path, read rarely.
 */

export interface SessionCounters {
  /** Current sessions. */
  scur: number;
  /** Highest scur seen. */
  smax: number;
  /** Cumulated sessions. */
  stot: number;
  /** Bytes in (from clients) and out (to clients). */
  bin: number;
  bout: number;
}

export interface FrontendCounters extends SessionCounters {
  /** Requests/connections denied. */
  dreq: number;
  /** Request errors (client aborts while waiting, invalid input). */
  ereq: number;
  /** Connections waiting for a slot under maxconn. */
  waiting: number;
}

export interface BackendCounters extends SessionCounters {
  /** Failed connection attempts to servers. */
  econ: number;
  /** Response errors (server aborts, server timeouts). */
  eresp: number;
  /** Connection retries. */
  wretr: number;
  /** Redispatches to another server. */
  wredis: number;
  /** Times a server was chosen by the balancer. */
  lbtot: number;
  /** Current and max queued sessions. */
  qcur: number;
  qmax: number;
}

export function newFrontendCounters(): FrontendCounters {
  return { scur: 0, smax: 0, stot: 0, bin: 0, bout: 0, dreq: 0, ereq: 0, waiting: 0 };
}

export function newBackendCounters(): BackendCounters {
  return { scur: 0, smax: 0, stot: 0, bin: 0, bout: 0, econ: 0, eresp: 0, wretr: 0, wredis: 0, lbtot: 0, qcur: 0, qmax: 0 };
}

export function sessionOpened(c: SessionCounters): void {
  c.stot++;
  if (++c.scur > c.smax) c.smax = c.scur;
}
