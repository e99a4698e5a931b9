/**
 * Traffic counters, named after the fields of HAProxy's stats CSV so the stats renderers can
 * emit them directly. Plain mutable objects: incremented on the hot path, read rarely.
 *
 * The per-second rates (HAProxy's sess_per_sec, req_per_sec: freq counters over one second,
 * read by `fe_sess_rate`, `be_sess_rate`, `srv_sess_rate`, `fe_req_rate` and the stats) need
 * the time of each event: the process's monotonic clock, installed once by whoever runs the
 * proxies (setCounterClock), so that the many places counting a session need not carry it.
 */
import { newTimeStats, type TimeStats } from './time-stats.ts';
import { newH2Counters, type H2Counters } from '../mux/h2/h2-counters.ts';
import { FREQ_CTR_CURR, FREQ_CTR_SLOTS, initFreqCtr, readFreqCtr, updateFreqCtr } from '../stick/freq-counter.ts';

/** HAProxy's rates are per second. */
const RATE_PERIOD = 1000;

let clock: () => number = () => 0;

/** The monotonic clock (ms) the rates are counted on: the runtime's `now`. */
export function setCounterClock(now: () => number): void {
  clock = now;
}

/** A per-second event rate (a freq counter's three slots). */
export type RateCounter = Float64Array;

export function newRateCounter(): RateCounter {
  const rate = new Float64Array(FREQ_CTR_SLOTS);
  initFreqCtr(rate, 0);
  return rate;
}

/** One more event now. */
export function countRate(rate: RateCounter): void {
  updateFreqCtr(rate, 0, RATE_PERIOD, clock(), 1);
}

/**
 * The events of the current one-second period, right after countRate(): what HAProxy's
 * update_freq_ctr returns and its `*_max` stats keep the highest of (sps_max, cps_max, rps_max).
 */
function currentPeriod(rate: RateCounter): number {
  return rate[FREQ_CTR_CURR] as number;
}

/** Events over the last second (HAProxy's read_freq_ctr). */
export function readRate(rate: RateCounter): number {
  return readFreqCtr(rate, 0, RATE_PERIOD, clock());
}

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
  /** Sessions per second (HAProxy's sess_per_sec; stats `rate`). */
  readonly sessRate: RateCounter;
  /** Most sessions in one second (HAProxy's sps_max; stats `rate_max`). */
  sessRateMax: number;
  /** When the last session was counted (the counter clock, ms), -1 before the first (HAProxy's last_sess; stats `lastsess`). */
  lastSess: number;
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
  /** `cache-use` lookups and hits by this proxy's rules (HAProxy's cache_lookups, cache_hits). */
  cacheLookups: number;
  cacheHits: number;
  /**
   * Compression (HAProxy's comp_in, comp_out, comp_byp, comp_rsp): payload bytes fed to a
   * compressor and what came out, bytes of responses that passed the filter uncompressed
   * (`identity`), responses the filter took.
   */
  compIn: number;
  compOut: number;
  compBypassed: number;
  compResponses: number;
  /** The HTTP/2 mux's frames, errors, connections and streams (HAProxy's `h2` stats module). */
  readonly h2: H2Counters;
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
  /** HTTP requests per second (HAProxy's fe req_per_sec; stats `req_rate`). */
  readonly reqRate: RateCounter;
  /** Most HTTP requests in one second (HAProxy's rps_max; stats `req_rate_max`). */
  reqRateMax: number;
  /** Connections accepted (HAProxy's conn_tot), sessions or not. */
  connTot: number;
  /** Connections per second (HAProxy's conn_per_sec; stats `conn_rate`) and their most in one second (`conn_rate_max`). */
  readonly connRate: RateCounter;
  connRateMax: number;
  /** Connections closed before becoming a session: a missing or invalid PROXY header. */
  failedHandshakes: number;
  /** Connections refused by `tcp-request connection` rules (HAProxy's denied_conn). */
  deniedConnections: number;
  /** Sessions refused by `tcp-request session` rules (HAProxy's denied_sess). */
  deniedSessions: number;
}

export interface BackendCounters extends SessionCounters, HttpCounters {
  /** Requests denied once this backend was chosen (its own `http-request deny`, `reject`, `tarpit`). */
  dreq: number;
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
  /** New connections dialled to servers, retries included (HAProxy's `connect`). */
  connect: number;
  /** Idle server connections reused instead (HAProxy's `reuse`). */
  reuse: number;
  /** Current and max queued sessions. */
  qcur: number;
  qmax: number;
  /** Transactions the client gave up in their data phase (HAProxy's cli_aborts; see countAbort). */
  clientAborts: number;
  /** Transactions the server gave up in their data phase (srv_aborts). */
  serverAborts: number;
  /** Queue/connect/response/total time averages and maxima (stats qtime..ttime_max). */
  readonly timeStats: TimeStats;
}

export function newFrontendCounters(): FrontendCounters {
  return {
    scur: 0, smax: 0, stot: 0, bin: 0, bout: 0, sessRate: newRateCounter(), sessRateMax: 0, lastSess: -1, reqRate: newRateCounter(), reqRateMax: 0,
    connRate: newRateCounter(), connRateMax: 0, dreq: 0, dresp: 0, ereq: 0, waiting: 0, connTot: 0, failedHandshakes: 0, deniedConnections: 0, deniedSessions: 0, reqTot: 0, hrsp: [0, 0, 0, 0, 0, 0],
    failedRewrites: 0, internalErrors: 0, cacheLookups: 0, cacheHits: 0, compIn: 0, compOut: 0, compBypassed: 0, compResponses: 0,
    h2: newH2Counters(),
  };
}

export function newBackendCounters(): BackendCounters {
  return {
    scur: 0, smax: 0, stot: 0, bin: 0, bout: 0, sessRate: newRateCounter(), sessRateMax: 0, lastSess: -1, dreq: 0, dresp: 0, econ: 0, eresp: 0, wretr: 0, wredis: 0, lbtot: 0, connect: 0, reuse: 0, qcur: 0, qmax: 0,
    clientAborts: 0, serverAborts: 0, timeStats: newTimeStats(), reqTot: 0, hrsp: [0, 0, 0, 0, 0, 0], failedRewrites: 0, internalErrors: 0, cacheLookups: 0, cacheHits: 0,
    compIn: 0, compOut: 0, compBypassed: 0, compResponses: 0, h2: newH2Counters(),
  };
}

export function sessionOpened(c: SessionCounters): void {
  // One reading of the clock for both: a backend's and a server's session are counted on each
  // request, and the clock costs 60-120 ns a reading (performance.now on Node and Deno).
  const now = clock();
  c.stot++;
  c.lastSess = now;
  if (++c.scur > c.smax) c.smax = c.scur;
  updateFreqCtr(c.sessRate, 0, RATE_PERIOD, now, 1);
  if (currentPeriod(c.sessRate) > c.sessRateMax) c.sessRateMax = currentPeriod(c.sessRate);
}

/**
 * A stream ended by its client (`C`, `c`) or its server (`S`, `s`) once its data flowed: HAProxy
 * counts cli_aborts / srv_aborts where it forwards a body (http_ana.c) and in the data phase of
 * any stream (stream.c), on the backend and on the server. Ends before that (a request still
 * being read, a server closing or timing out before its answer: 502 / 504) are not aborts, nor
 * a malformed body (failed_resp only). The caller filters those out.
 */
export function countAbort(cause: string, backend: BackendCounters, server: BackendCounters | undefined): void {
  if (cause === 'C' || cause === 'c') {
    backend.clientAborts++;
    if (server !== undefined) server.clientAborts++;
  } else if (cause === 'S' || cause === 's') {
    backend.serverAborts++;
    if (server !== undefined) server.serverAborts++;
  }
}

/** One more connection accepted by a frontend (HAProxy's proxy_inc_fe_conn_ctr). */
export function connectionAccepted(c: FrontendCounters): void {
  c.connTot++;
  countRate(c.connRate);
  if (currentPeriod(c.connRate) > c.connRateMax) c.connRateMax = currentPeriod(c.connRate);
}

/** One more HTTP request on a frontend (HAProxy's proxy_inc_fe_req_ctr). */
export function requestReceived(c: FrontendCounters): void {
  c.reqTot++;
  countRate(c.reqRate);
  if (currentPeriod(c.reqRate) > c.reqRateMax) c.reqRateMax = currentPeriod(c.reqRate);
}

/** Counts a response status in its class. */
export function countResponse(c: HttpCounters, status: number): void {
  const cls = (status / 100) | 0;
  const i = cls >= 1 && cls <= 5 ? cls : 0;
  c.hrsp[i] = (c.hrsp[i] as number) + 1;
}
