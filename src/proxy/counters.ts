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

/** HTTP request/response counters (mode http), as HAProxy's req_tot and hrsp_1xx..hrsp_other. */
export interface HttpCounters {
  /** HTTP requests processed. */
  reqTot: number;
  /** Responses by class: index 1..5 for 1xx..5xx, 0 for other. */
  readonly hrsp: [number, number, number, number, number, number];
  /** Rewrites by HTTP rules that failed (HAProxy's failed_rewrites; see `strict-mode`). */
  failedRewrites: number;
  /** Transactions ended by an internal error, e.g. a failed rewrite in strict mode (internal_errors). */
  internalErrors: number;
}

export interface FrontendCounters extends SessionCounters, HttpCounters {
  /** Requests/connections denied. */
  dreq: number;
  /** Responses denied (`http-response deny`). */
  dresp: number;
  /** Request errors (client aborts while waiting, invalid input). */
  ereq: number;
  /** Connections waiting for a slot under maxconn. */
  waiting: number;
  /** Connections accepted (HAProxy's conn_tot), sessions or not. */
  connTot: number;
  /** Connections closed before becoming a session: a missing or invalid PROXY header. */
  failedHandshakes: number;
  /** Connections refused by `tcp-request connection` rules (HAProxy's denied_conn). */
  deniedConnections: number;
  /** Sessions refused by `tcp-request session` rules (HAProxy's denied_sess). */
  deniedSessions: number;
}

export interface BackendCounters extends SessionCounters, HttpCounters {
  /** Responses denied (`http-response deny`). */
  dresp: number;
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
  return { scur: 0, smax: 0, stot: 0, bin: 0, bout: 0, dreq: 0, dresp: 0, ereq: 0, waiting: 0, connTot: 0, failedHandshakes: 0, deniedConnections: 0, deniedSessions: 0, reqTot: 0, hrsp: [0, 0, 0, 0, 0, 0], failedRewrites: 0, internalErrors: 0 };
}

export function newBackendCounters(): BackendCounters {
  return {
    scur: 0, smax: 0, stot: 0, bin: 0, bout: 0, dresp: 0, econ: 0, eresp: 0, wretr: 0, wredis: 0, lbtot: 0, qcur: 0, qmax: 0,
    reqTot: 0, hrsp: [0, 0, 0, 0, 0, 0], failedRewrites: 0, internalErrors: 0,
  };
}

export function sessionOpened(c: SessionCounters): void {
  c.stot++;
  if (++c.scur > c.smax) c.smax = c.scur;
}

/** Counts a response status in its class. */
export function countResponse(c: HttpCounters, status: number): void {
  const cls = (status / 100) | 0;
  const i = cls >= 1 && cls <= 5 ? cls : 0;
  c.hrsp[i] = (c.hrsp[i] as number) + 1;
}
