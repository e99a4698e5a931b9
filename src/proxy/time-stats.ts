/**
 * Per backend and per server timing averages and maxima (HAProxy's q_time/c_time/d_time/t_time
 * sliding sums and qtime_max..ttime_max, updated by stream_update_time_stats at the end of
 * every stream that reached a server): the stats fields qtime, ctime, rtime, ttime and
 * qtime_max..ttime_max, and the Prometheus exporter's *_average_seconds / max_*_time_seconds.
 *
 * The averages are HAProxy's swrate: a sum of the last samples that loses one average sample
 * per new one once more than TIME_STATS_SAMPLES streams were counted (a plain sum before), read
 * back as sum / window rounded up. Arithmetic is on unsigned 32 bits, as HAProxy's.
 */

/** HAProxy's TIME_STATS_SAMPLES (512, although the stats help texts say 1024). */
export const TIME_STATS_SAMPLES = 512;

export interface TimeStats {
  /** Sliding sums (ms): queue, connect, response (data), total. */
  qTime: number;
  cTime: number;
  dTime: number;
  tTime: number;
  /** Highest samples seen (ms). */
  qMax: number;
  cMax: number;
  dMax: number;
  tMax: number;
}

export function newTimeStats(): TimeStats {
  return { qTime: 0, cTime: 0, dTime: 0, tTime: 0, qMax: 0, cMax: 0, dMax: 0, tMax: 0 };
}

/** HAProxy's swrate_add_dynamic: n = 0 adds to the sum without ageing it. */
function swrateAdd(sum: number, n: number, v: number): number {
  const aged = n > 0 ? sum - Math.floor((sum + n - 1) / n) : sum;
  return (aged + v) >>> 0;
}

/** HAProxy's swrate_avg: the sum over `n` samples, rounded up. */
export function swrateAvg(sum: number, n: number): number {
  return Math.floor((sum + n - 1) / n) >>> 0;
}

/**
 * The window `show stat` divides by (stats.c): the streams counted so far while fewer than
 * TIME_STATS_SAMPLES, else TIME_STATS_SAMPLES. `counted` is the object's HTTP request count in
 * an http backend, its load-balanced connections in a tcp one (cum_req / cum_lbconn).
 */
export function statsWindow(counted: number): number {
  return counted > 0 && counted < TIME_STATS_SAMPLES ? counted : TIME_STATS_SAMPLES;
}

/**
 * One stream's durations (ms, each step's own): queue, connect, response, total. `counted` as
 * for statsWindow, including this stream: the sums only age once more than
 * TIME_STATS_SAMPLES were counted.
 */
export function addTimeSample(stats: TimeStats, counted: number, queue: number, connect: number, data: number, total: number): void {
  const n = counted > TIME_STATS_SAMPLES ? TIME_STATS_SAMPLES : 0;
  // HAProxy adds them as unsigned ints; a step measured backwards (clock granularity) counts 0 here.
  const q = Math.max(0, queue);
  const c = Math.max(0, connect);
  const d = Math.max(0, data);
  const t = Math.max(0, total);
  stats.qTime = swrateAdd(stats.qTime, n, q);
  stats.cTime = swrateAdd(stats.cTime, n, c);
  stats.dTime = swrateAdd(stats.dTime, n, d);
  stats.tTime = swrateAdd(stats.tTime, n, t);
  if (q > stats.qMax) stats.qMax = q;
  if (c > stats.cMax) stats.cMax = c;
  if (d > stats.dMax) stats.dMax = d;
  if (t > stats.tMax) stats.tMax = t;
}

/**
 * HAProxy's stream_update_time_stats from a stream's timers (ms since its accept, -1 for a step
 * not reached; HAProxy's logs.t_*): nothing when no connection was established. tcp streams
 * have no response step: their data time is their connect time.
 */
export function countStreamTimes(
  http: boolean,
  backend: TimeStats,
  backendCounted: number,
  server: TimeStats | undefined,
  serverCounted: number,
  tRequest: number,
  tQueue: number,
  tConnect: number,
  tData: number,
  tClose: number,
): void {
  const data = http ? tData : tConnect;
  if (tConnect < 0 || data < 0) return;
  const request = tRequest >= 0 ? tRequest : 0;
  const queue = tQueue - request;
  const connect = tConnect - tQueue;
  const response = data - tConnect;
  if (server !== undefined) addTimeSample(server, serverCounted, queue, connect, response, tClose);
  addTimeSample(backend, backendCounted, queue, connect, response, tClose);
}
