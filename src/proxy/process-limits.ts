/**
 * Process-wide connection accounting (`global maxconn`, HAProxy's actconn). Frontends that hold
 * connections back because of it register here and are offered capacity as sessions end. It
 * also carries the process's buffer geometry (`tune.bufsize`, `tune.maxrewrite`), the other
 * global bound every session reads.
 */
import { DEFAULT_BUFFER_SIZES, type BufferSizes } from '../http/buffer-sizes.ts';
import { ErrorCaptures } from './error-captures.ts';
import { DEFAULT_COMPRESSION_TUNING, type CompressionTuningModel } from '../config/compression-tuning-model.ts';
import { MAX_THREAD_NUMBER } from '../config/keywords/process-numbers.ts';
import { readSharedFreqCtr, readSharedFreqCtrFloat, SHARED_FREQ_CTR_SLOTS, sharedAllowedDelay, updateSharedFreqCtr } from './shared-freq-counter.ts';

export interface WaitingFrontend {
  /** Admits held connections while capacity allows; returns true if any remain held. */
  admitWaiting(): boolean;
}

/**
 * Where the connection counts live: [0] the process's current connections (actconn), [1] the
 * threads holding connections back, [2] `maxconnrate` and [3] `maxsessrate` (the runtime API
 * changes them for every thread), the process's connection and session rates (HAProxy's
 * conn_per_sec, sess_per_sec: shared frequency counters, each followed by its highest
 * one-second count, cps_max / sps_max), the TLS rates the same way (ssl_per_sec: connections
 * accepted on `ssl` binds; ssl_fe_keys_per_sec / ssl_be_keys_per_sec: handshakes that made a new
 * key, not resumed, on binds / on servers), the TLS connections open and ever opened, on binds and
 * towards servers (global.sslconns / totalsslconns), the session cache's lookups and misses
 * (global.shctx_lookups / shctx_misses), `maxsslrate` and `maxsslconn` (global.ssl_lim,
 * maxsslconn: the runtime API changes the first), the compression figures (`maxcomprate` in
 * bytes per second, the bytes given to and coming out of compressors as frequency counters,
 * comp_bps_in / comp_bps_out, and the zlib memory compressors hold), each thread's idle percentage
 * (th_ctx->idle_pct, src/proxy/idle-share.ts), [FIRST_FRONTEND_SLOT + i] frontend i's connections,
 * and after the F frontends' slots, their session rates (fe_sess_per_sec, for `rate-limit
 * sessions`). A plain Int32Array in a one-thread process; with `nbthread`, one
 * SharedArrayBuffer the threads share (src/threads/), counted with Atomics so that the limits
 * hold for the process, not per thread.
 */
const CONN_RATE_LIMIT = 2;
const SESS_RATE_LIMIT = 3;
const CONN_RATE = 4;
const CONN_RATE_MAX = CONN_RATE + SHARED_FREQ_CTR_SLOTS;
const SESS_RATE = CONN_RATE_MAX + 1;
const SESS_RATE_MAX = SESS_RATE + SHARED_FREQ_CTR_SLOTS;
const SSL_RATE = SESS_RATE_MAX + 1;
const SSL_RATE_MAX = SSL_RATE + SHARED_FREQ_CTR_SLOTS;
const SSL_FE_KEY_RATE = SSL_RATE_MAX + 1;
const SSL_FE_KEY_RATE_MAX = SSL_FE_KEY_RATE + SHARED_FREQ_CTR_SLOTS;
const SSL_BE_KEY_RATE = SSL_FE_KEY_RATE_MAX + 1;
const SSL_BE_KEY_RATE_MAX = SSL_BE_KEY_RATE + SHARED_FREQ_CTR_SLOTS;
const SSL_CONNS = SSL_BE_KEY_RATE_MAX + 1;
const SSL_CONNS_TOTAL = SSL_CONNS + 1;
const SSL_CACHE_LOOKUPS = SSL_CONNS_TOTAL + 1;
const SSL_CACHE_MISSES = SSL_CACHE_LOOKUPS + 1;
const SSL_RATE_LIMIT = SSL_CACHE_MISSES + 1;
const SSL_CONN_LIMIT = SSL_RATE_LIMIT + 1;
const COMP_RATE_LIMIT = SSL_CONN_LIMIT + 1;
const COMP_BPS_IN = COMP_RATE_LIMIT + 1;
const COMP_BPS_OUT = COMP_BPS_IN + SHARED_FREQ_CTR_SLOTS;
const ZLIB_USED = COMP_BPS_OUT + SHARED_FREQ_CTR_SLOTS;
/** One slot per thread: its idle percentage plus one (0: not measured yet, HAProxy's starting 100). */
const IDLE_PCT = ZLIB_USED + 1;
export const FIRST_FRONTEND_SLOT = IDLE_PCT + MAX_THREAD_NUMBER;

/** The counts of a process whose configuration has `frontends` frontends. */
export function connectionCountSlots(frontends: number): number {
  return FIRST_FRONTEND_SLOT + frontends * (1 + SHARED_FREQ_CTR_SLOTS);
}

/** A millisecond clock every thread of the process reads alike (see ProcessLimits.useRateClock). */
export type RateClock = () => number;

/** One more at `at` unless it holds `max` already (0: no limit), in one atomic step. */
function takeBelow(counts: Int32Array, at: number, max: number): boolean {
  let current = Atomics.load(counts, at);
  for (;;) {
    if (max > 0 && current >= max) return false;
    const seen = Atomics.compareExchange(counts, at, current, current + 1);
    if (seen === current) return true;
    current = seen;
  }
}

/** Raises the highest count kept at `at` to `count` (HAProxy's HA_ATOMIC_UPDATE_MAX). */
function updateMax(counts: Int32Array, at: number, count: number): void {
  let max = Atomics.load(counts, at);
  while (count > max) {
    const seen = Atomics.compareExchange(counts, at, max, count);
    if (seen === max) return;
    max = seen;
  }
}

/** How a thread tells the others that a connection slot came free while they hold connections back. */
export type WakeOtherThreads = () => void;

export class ProcessLimits {
  /** 0 = unlimited; the runtime API (`set maxconn global`) may change it, then calls released(). */
  maxconn: number;
  /** Streams started so far (HAProxy's global.req_count): the next stream's %rt. */
  #streams = 0;
  readonly #waiting = new Set<WaitingFrontend>();
  readonly #counts: Int32Array;
  /** Set in a process with several threads: see WakeOtherThreads. */
  #wakeOthers: WakeOtherThreads | undefined;

  /** `tune.bufsize` / `tune.maxrewrite`: how much of a message the proxy holds (heads, inspected bytes, held bodies). */
  readonly buffers: BufferSizes;
  /** `tune.comp.maxlevel`, `tune.zlib.*`, `maxzlibmem` (`maxcomprate` is compRateLimit, which the runtime API changes). */
  compression: CompressionTuningModel = DEFAULT_COMPRESSION_TUNING;
  /** The last invalid message of each proxy (`show errors`): process-wide, as the buffers are. */
  readonly errorCaptures = new ErrorCaptures();

  /** Where frontend slot FIRST_FRONTEND_SLOT + i's session rate starts, minus 3 * i. */
  readonly #frontendRates: number;
  #rateClock: RateClock = () => 0;
  /** The thread whose idle share this one measures, when its runtime measures it. */
  #idleThread: number | undefined;

  constructor(maxconn: number, buffers: BufferSizes = DEFAULT_BUFFER_SIZES, counts?: Int32Array) {
    this.maxconn = maxconn;
    this.buffers = buffers;
    this.#counts = counts ?? new Int32Array(connectionCountSlots(64));
    const frontends = Math.floor((this.#counts.length - FIRST_FRONTEND_SLOT) / (1 + SHARED_FREQ_CTR_SLOTS));
    this.#frontendRates = FIRST_FRONTEND_SLOT + frontends - SHARED_FREQ_CTR_SLOTS * FIRST_FRONTEND_SLOT;
  }

  /**
   * The clock of the rates: integer milliseconds, the same in every thread (HAProxy's
   * global_now_ms). Each thread's monotonic clock has its own origin, so it is pinned to the
   * wall clock once, when the thread starts.
   */
  useRateClock(clock: RateClock): void {
    this.#rateClock = clock;
  }

  /** `maxconnrate` (0 = none): new connections per second, process-wide; `set rate-limit connections global` changes it. */
  get connRateLimit(): number {
    return Atomics.load(this.#counts, CONN_RATE_LIMIT);
  }

  set connRateLimit(limit: number) {
    Atomics.store(this.#counts, CONN_RATE_LIMIT, limit);
  }

  /** `maxsessrate` (0 = none): new sessions per second, process-wide; `set rate-limit sessions global` changes it. */
  get sessRateLimit(): number {
    return Atomics.load(this.#counts, SESS_RATE_LIMIT);
  }

  set sessRateLimit(limit: number) {
    Atomics.store(this.#counts, SESS_RATE_LIMIT, limit);
  }

  /** `maxsslrate` (0 = none): connections accepted per second on `ssl` binds, process-wide; `set rate-limit ssl-sessions global` changes it. */
  get sslRateLimit(): number {
    return Atomics.load(this.#counts, SSL_RATE_LIMIT);
  }

  set sslRateLimit(limit: number) {
    Atomics.store(this.#counts, SSL_RATE_LIMIT, limit);
  }

  /** `maxsslconn` (0 = none): TLS connections open at once, accepted and dialled (MaxSslConns of `show info`). */
  get maxSslConnections(): number {
    return Atomics.load(this.#counts, SSL_CONN_LIMIT);
  }

  set maxSslConnections(limit: number) {
    Atomics.store(this.#counts, SSL_CONN_LIMIT, limit);
  }

  /** ssl_sock_init's check: `maxsslconn` TLS connections are open, so a new one may not start. */
  get sslConnectionsFull(): boolean {
    const max = Atomics.load(this.#counts, SSL_CONN_LIMIT);
    return max > 0 && Atomics.load(this.#counts, SSL_CONNS) >= max;
  }

  /** A connection was accepted (listener_accept: global.conn_per_sec, cps_max). */
  connectionAccepted(): void {
    updateMax(this.#counts, CONN_RATE_MAX, updateSharedFreqCtr(this.#counts, CONN_RATE, this.#rateClock()));
  }

  /** ... and its frontend kept it past `tcp-request connection` rules (global.sess_per_sec, sps_max). */
  sessionAccepted(): void {
    updateMax(this.#counts, SESS_RATE_MAX, updateSharedFreqCtr(this.#counts, SESS_RATE, this.#rateClock()));
  }

  /** A connection was accepted on an `ssl` bind (listener_accept: global.ssl_per_sec, ssl_max). */
  sslConnectionAccepted(): void {
    updateMax(this.#counts, SSL_RATE_MAX, updateSharedFreqCtr(this.#counts, SSL_RATE, this.#rateClock()));
  }

  /**
   * A TLS handshake succeeded without resuming a session, so a new key was made
   * (ssl_sock_handshake): on a bind (`frontend`, ssl_fe_keys_per_sec) or towards a server.
   */
  sslKeyCreated(frontend: boolean): void {
    const at = frontend ? SSL_FE_KEY_RATE : SSL_BE_KEY_RATE;
    updateMax(this.#counts, at + SHARED_FREQ_CTR_SLOTS, updateSharedFreqCtr(this.#counts, at, this.#rateClock()));
  }

  /**
   * A TLS connection starts, accepted on an `ssl` bind or dialled to an `ssl` server
   * (ssl_sock_init: global.sslconns and totalsslconns, whether its handshake succeeds or not).
   */
  sslConnectionOpened(): void {
    Atomics.add(this.#counts, SSL_CONNS, 1);
    Atomics.add(this.#counts, SSL_CONNS_TOTAL, 1);
  }

  /** ... and is closed (ssl_sock_close). */
  sslConnectionClosed(): void {
    Atomics.sub(this.#counts, SSL_CONNS, 1);
  }

  /** A TLS connection that was over before it could be served (its handshake failed): counted once, not open. */
  sslConnectionRefused(): void {
    Atomics.add(this.#counts, SSL_CONNS_TOTAL, 1);
  }

  /** CurrSslConns / CumSslConns of `show info` (unsigned, as HAProxy's counters). */
  get sslConnections(): number {
    return Atomics.load(this.#counts, SSL_CONNS);
  }

  get sslConnectionsTotal(): number {
    return Atomics.load(this.#counts, SSL_CONNS_TOTAL) >>> 0;
  }

  /**
   * A client asked to resume a session the listener's session cache is asked for
   * (sh_ssl_sess_get_cb: shctx_lookups, and shctx_misses when it is not there).
   */
  sslCacheLookedUp(found: boolean): void {
    Atomics.add(this.#counts, SSL_CACHE_LOOKUPS, 1);
    if (!found) Atomics.add(this.#counts, SSL_CACHE_MISSES, 1);
  }

  /** SslCacheLookups / SslCacheMisses of `show info`. */
  get sslCacheLookups(): number {
    return Atomics.load(this.#counts, SSL_CACHE_LOOKUPS) >>> 0;
  }

  get sslCacheMisses(): number {
    return Atomics.load(this.#counts, SSL_CACHE_MISSES) >>> 0;
  }

  /** SslRate, SslFrontendKeyRate, SslBackendKeyRate of `show info`: over the last second. */
  get sslRate(): number {
    return readSharedFreqCtr(this.#counts, SSL_RATE, this.#rateClock());
  }

  get sslFrontendKeyRate(): number {
    return readSharedFreqCtr(this.#counts, SSL_FE_KEY_RATE, this.#rateClock());
  }

  get sslBackendKeyRate(): number {
    return readSharedFreqCtr(this.#counts, SSL_BE_KEY_RATE, this.#rateClock());
  }

  /** MaxSslRate, SslFrontendMaxKeyRate, SslBackendMaxKeyRate: the most in one second. */
  get sslRateMax(): number {
    return Atomics.load(this.#counts, SSL_RATE_MAX);
  }

  get sslFrontendKeyRateMax(): number {
    return Atomics.load(this.#counts, SSL_FE_KEY_RATE_MAX);
  }

  get sslBackendKeyRateMax(): number {
    return Atomics.load(this.#counts, SSL_BE_KEY_RATE_MAX);
  }

  /**
   * SslFrontendSessionReuse_pct: the share of the last second's TLS connections that made no
   * new key, from the two rates read as floats and truncated (stats.c's fill_info).
   */
  get sslFrontendReusePercent(): number {
    const now = this.#rateClock();
    const sessions = readSharedFreqCtrFloat(this.#counts, SSL_RATE, now);
    const keys = readSharedFreqCtrFloat(this.#counts, SSL_FE_KEY_RATE, now);
    return keys < sessions ? Math.trunc(100 * (1 - keys / sessions)) : 0;
  }

  /** `maxcomprate` in bytes per second (0 = none); `set rate-limit http-compression global` changes it. */
  get compRateLimit(): number {
    return Atomics.load(this.#counts, COMP_RATE_LIMIT);
  }

  set compRateLimit(limit: number) {
    Atomics.store(this.#counts, COMP_RATE_LIMIT, limit);
  }

  /** A compressor took `input` payload bytes and gave `output` (comp_http_payload's comp_bps_in / comp_bps_out). */
  compressed(input: number, output: number): void {
    const now = this.#rateClock();
    if (input > 0) updateSharedFreqCtr(this.#counts, COMP_BPS_IN, now, input);
    if (output > 0) updateSharedFreqCtr(this.#counts, COMP_BPS_OUT, now, output);
  }

  /** CompressBpsIn / CompressBpsOut of `show info`: bytes over the last second. */
  get compBpsIn(): number {
    return readSharedFreqCtr(this.#counts, COMP_BPS_IN, this.#rateClock());
  }

  get compBpsOut(): number {
    return readSharedFreqCtr(this.#counts, COMP_BPS_OUT, this.#rateClock());
  }

  /**
   * Takes `bytes` of zlib memory for a compressor unless that would pass `max` (`maxzlibmem`,
   * 0 = none): HAProxy's alloc_zlib refuses the allocation, and the response goes uncompressed.
   */
  zlibReserve(bytes: number, max: number): boolean {
    if (max <= 0) {
      Atomics.add(this.#counts, ZLIB_USED, bytes);
      return true;
    }
    let used = Atomics.load(this.#counts, ZLIB_USED);
    for (;;) {
      if (max - used < bytes) return false;
      const seen = Atomics.compareExchange(this.#counts, ZLIB_USED, used, used + bytes);
      if (seen === used) return true;
      used = seen;
    }
  }

  /** ... and gives it back when the compressor ends. */
  zlibRelease(bytes: number): void {
    Atomics.sub(this.#counts, ZLIB_USED, bytes);
  }

  /** This thread's idle percentage (th_ctx->idle_pct); undefined: its runtime does not measure it. */
  reportIdle(thread: number, pct: number | undefined): void {
    if (thread >= MAX_THREAD_NUMBER) return;
    this.#idleThread = pct === undefined ? undefined : thread;
    Atomics.store(this.#counts, IDLE_PCT + thread, pct === undefined ? 0 : pct + 1);
  }

  /** The calling thread's idle percentage (what `maxcompcpuusage` compares); undefined when unmeasured. */
  get idlePct(): number | undefined {
    return this.#idleThread === undefined ? undefined : this.#threadIdle(this.#idleThread);
  }

  /**
   * clock_report_idle: the average of the threads' idle percentages, rounded down (Idle_pct);
   * undefined when this runtime does not measure it (every thread runs on the same runtime).
   */
  processIdlePct(threads: number): number | undefined {
    if (this.#idleThread === undefined) return undefined;
    const n = Math.min(Math.max(1, threads), MAX_THREAD_NUMBER);
    let total = 0;
    for (let t = 0; t < n; t++) total += this.#threadIdle(t);
    return Math.floor(total / n);
  }

  #threadIdle(thread: number): number {
    const stored = Atomics.load(this.#counts, IDLE_PCT + thread);
    return stored === 0 ? 100 : stored - 1;
  }

  /** ZlibMemUsage of `show info`. */
  get zlibUsed(): number {
    return Atomics.load(this.#counts, ZLIB_USED);
  }

  /** The frontend counting in `slot` made a session (its fe_sess_per_sec, which `rate-limit sessions` reads). */
  frontendSessionStarted(slot: number): void {
    const at = this.#frontendRate(slot);
    if (at >= 0) updateSharedFreqCtr(this.#counts, at, this.#rateClock());
  }

  /** Where the session rate of the frontend counting in `slot` is; -1 for none. */
  #frontendRate(slot: number): number {
    const at = this.#frontendRates + SHARED_FREQ_CTR_SLOTS * slot;
    return slot >= FIRST_FRONTEND_SLOT && at + SHARED_FREQ_CTR_SLOTS <= this.#counts.length ? at : -1;
  }

  /** ConnRate / SessRate of `show info`: the process's connections and sessions over the last second. */
  get connRate(): number {
    return readSharedFreqCtr(this.#counts, CONN_RATE, this.#rateClock());
  }

  get sessRate(): number {
    return readSharedFreqCtr(this.#counts, SESS_RATE, this.#rateClock());
  }

  /** MaxConnRate / MaxSessRate: the most in one second. */
  get connRateMax(): number {
    return Atomics.load(this.#counts, CONN_RATE_MAX);
  }

  get sessRateMax(): number {
    return Atomics.load(this.#counts, SESS_RATE_MAX);
  }

  /**
   * How long the listeners must wait before the process-wide rates (`maxsessrate`, then
   * `maxconnrate`, then for an `ssl` bind `maxsslrate`) allow one more connection, in ms; 0
   * when one may be accepted now.
   */
  acceptDelay(ssl: boolean): number {
    const sps = this.sessRateLimit;
    if (sps > 0) {
      const wait = sharedAllowedDelay(this.#counts, SESS_RATE, sps, this.#rateClock());
      if (wait > 0) return wait;
    }
    const cps = this.connRateLimit;
    if (cps > 0) {
      const wait = sharedAllowedDelay(this.#counts, CONN_RATE, cps, this.#rateClock());
      if (wait > 0) return wait;
    }
    const ssls = ssl ? this.sslRateLimit : 0;
    return ssls > 0 ? sharedAllowedDelay(this.#counts, SSL_RATE, ssls, this.#rateClock()) : 0;
  }

  /** How long the frontend counting in `slot` must wait before `rate-limit sessions N` allows one more session; 0 = now. */
  frontendAcceptDelay(slot: number, limit: number): number {
    const at = this.#frontendRate(slot);
    return at < 0 ? 0 : sharedAllowedDelay(this.#counts, at, limit, this.#rateClock());
  }

  /** Shares the counts with the other threads of the process (see FIRST_FRONTEND_SLOT). */
  shareWith(wakeOthers: WakeOtherThreads): void {
    this.#wakeOthers = wakeOthers;
  }

  /** Current sessions across all frontends (and threads): %ac. */
  get current(): number {
    return Atomics.load(this.#counts, 0);
  }

  /** A frontend's current connections (its `maxconn` is checked against them with several threads). */
  frontendCurrent(slot: number): number {
    return Atomics.load(this.#counts, slot);
  }

  /** A connection of the frontend counting in `slot` (FIRST_FRONTEND_SLOT + its index) starts. */
  opened(slot: number): void {
    Atomics.add(this.#counts, 0, 1);
    if (slot >= FIRST_FRONTEND_SLOT && slot < this.#counts.length) Atomics.add(this.#counts, slot, 1);
  }

  /**
   * opened(slot) unless the process (`maxconn`) or the frontend (`frontendMax`, 0: none) is
   * full, as one step for each count: with several threads, two threads that both saw room for
   * one more connection cannot both take it (false: nothing was counted).
   */
  tryOpen(slot: number, frontendMax: number): boolean {
    const counts = this.#counts;
    if (!takeBelow(counts, 0, this.maxconn)) return false;
    if (slot >= FIRST_FRONTEND_SLOT && slot < counts.length && !takeBelow(counts, slot, frontendMax)) {
      Atomics.sub(counts, 0, 1);
      return false;
    }
    return true;
  }

  /** ... and ends (`ssl`: one counted by sslConnectionOpened); call released() once its frontend has admitted what it held. */
  closed(slot: number, ssl = false): void {
    Atomics.sub(this.#counts, 0, 1);
    if (ssl) Atomics.sub(this.#counts, SSL_CONNS, 1);
    if (slot >= FIRST_FRONTEND_SLOT && slot < this.#counts.length) Atomics.sub(this.#counts, slot, 1);
  }

  /** Numbers a new stream (an HTTP request, a tcp connection): HAProxy's uniq_id. */
  nextStreamId(): number {
    return this.#streams++;
  }

  get full(): boolean {
    return this.maxconn > 0 && this.current >= this.maxconn;
  }

  hold(frontend: WaitingFrontend): void {
    if (this.#waiting.size === 0) Atomics.add(this.#counts, 1, 1);
    this.#waiting.add(frontend);
  }

  /** A session ended somewhere: let held connections in, oldest frontend first. */
  released(): void {
    if (this.#waiting.size > 0) {
      for (const frontend of this.#waiting) {
        if (this.full) break;
        if (!frontend.admitWaiting()) this.#waiting.delete(frontend);
      }
      if (this.#waiting.size === 0) Atomics.sub(this.#counts, 1, 1);
    }
    // Another thread holds connections back and there is room now: it is told (a message, so
    // only while connections are held somewhere).
    if (this.#wakeOthers !== undefined && !this.full && Atomics.load(this.#counts, 1) > (this.#waiting.size > 0 ? 1 : 0)) this.#wakeOthers();
  }

  /** Another thread freed a slot: admit what this one holds (no wake of the others again). */
  releasedElsewhere(): void {
    if (this.#waiting.size === 0) return;
    for (const frontend of this.#waiting) {
      if (this.full) break;
      if (!frontend.admitWaiting()) this.#waiting.delete(frontend);
    }
    if (this.#waiting.size === 0) Atomics.sub(this.#counts, 1, 1);
  }
}
