/**
 * HAProxy's per-second frequency counters (include/haproxy/freq_ctr.h, src/freq_ctr.c at v2.6.0)
 * as the threads of one process share them: three 32-bit slots of an Int32Array — the start of
 * the current period (`curr_tick`, an even millisecond; odd while a thread rotates it), the
 * events counted in it (`curr_ctr`) and those of the previous period (`prev_ctr`) — updated with
 * Atomics as HAProxy's update_freq_ctr_period() does, so that a rate limit (`rate-limit
 * sessions`, `maxconnrate`, `maxsessrate`) holds for the process, not per thread.
 *
 * Times are integer milliseconds of a clock every thread agrees on (ProcessLimits' rate clock),
 * kept modulo 2^32 as HAProxy's now_ms is: only differences between them are used.
 */

const TICK = 0;
const CURR = 1;
const PREV = 2;

/** Slots a shared frequency counter takes. */
export const SHARED_FREQ_CTR_SLOTS = 3;

/** A rate is counted over one second. */
const PERIOD = 1000;

/** `now - tick` of two millisecond times taken modulo 2^32. */
function elapsed(now: number, tick: number): number {
  return (now - tick) | 0;
}

/**
 * `now` falls in the period starting at `tick`. HAProxy's threads share one clock; ours agree
 * to within a millisecond or so, so a tick slightly ahead of `now` is still the current period
 * (where HAProxy's unsigned difference would restart the count).
 */
function inPeriod(since: number): boolean {
  return since < PERIOD && since > -PERIOD;
}

/**
 * update_freq_ctr_period(): counts `inc` events (one by default; bytes for the compression
 * rates) at `now`; returns the events of the current period, which the `*_max` figures keep the
 * highest of (cps_max, sps_max).
 */
export function updateSharedFreqCtr(counts: Int32Array, at: number, now: number, inc = 1): number {
  let tick: number;
  for (;;) {
    tick = Atomics.load(counts, at + TICK);
    // Within the period, even while another thread rotates: no big deal, as HAProxy says.
    if (inPeriod(elapsed(now, tick))) return Atomics.add(counts, at + CURR, inc) + inc;
    // A rotation is due: the thread that sets the lock bit does it.
    if ((tick & 1) === 0 && Atomics.compareExchange(counts, at + TICK, tick, tick | 1) === tick) break;
  }
  // The current period becomes the previous one without losing a concurrent increment.
  Atomics.store(counts, at + PREV, Atomics.exchange(counts, at + CURR, inc));
  let next = (tick + PERIOD) | 0;
  const since = elapsed(now, next);
  if (since >= PERIOD || since < 0) {
    // At least two periods went by without an event (or the counter was never used: a zero tick).
    Atomics.store(counts, at + PREV, 0);
    next = now | 0;
  }
  Atomics.store(counts, at + TICK, next & ~1);
  return inc;
}

/** The last consistent reading of a counter (snapshot()): module state, so that a read allocates nothing. */
let snapTick = 0;
let snapCurr = 0;
let snapPast = 0;

/** Reads a counter consistently: the same unlocked tick before and after reading the counts. */
function snapshot(counts: Int32Array, at: number): void {
  for (;;) {
    snapTick = Atomics.load(counts, at + TICK);
    snapCurr = Atomics.load(counts, at + CURR);
    snapPast = Atomics.load(counts, at + PREV);
    if ((snapTick & 1) === 0 && Atomics.load(counts, at + TICK) === snapTick) return;
  }
}

/** freq_ctr_total(): the events in the window ending at `now`, times the period (plus `pend` pending ones). */
function sharedFreqCtrTotal(counts: Int32Array, at: number, now: number, pend: number): number {
  snapshot(counts, at);
  let curr = snapCurr;
  let past = snapPast;
  const since = elapsed(now, snapTick);
  let remain = PERIOD - (since < 0 ? 0 : since);
  if (remain < 0) {
    // Past the current period: what is left of it is the previous one's share.
    remain += PERIOD;
    past = remain >= 0 ? curr : 0;
    curr = 0;
  }
  if (pend < 0) {
    pend = 0;
    if (curr === 0 && past <= 1) return past * PERIOD;
  }
  return past * remain + (curr + pend) * PERIOD;
}

/** read_freq_ctr(): the events over the last second (rounded down). */
export function readSharedFreqCtr(counts: Int32Array, at: number, now: number): number {
  return Math.floor(sharedFreqCtrTotal(counts, at, now, -1) / PERIOD);
}

/** read_freq_ctr_flt(): the events over the last second, not rounded. */
export function readSharedFreqCtrFloat(counts: Int32Array, at: number, now: number): number {
  return sharedFreqCtrTotal(counts, at, now, -1) / PERIOD;
}

/** freq_ctr_remain(): how many more events may happen now while keeping at most `freq` per second. */
export function sharedFreqCtrRemain(counts: Int32Array, at: number, freq: number, now: number): number {
  const avg = Math.floor(sharedFreqCtrTotal(counts, at, now, 0) / PERIOD);
  return avg > freq ? 0 : freq - avg;
}

/**
 * next_event_delay(): the milliseconds to wait before one more event keeps the rate at most
 * `freq` per second; 0 when it may happen now, else at least 1.
 */
export function sharedNextEventDelay(counts: Int32Array, at: number, freq: number, now: number): number {
  let total = sharedFreqCtrTotal(counts, at, now, 0);
  const limit = freq * PERIOD;
  if (total < limit) return 0;
  total -= limit;
  const wait = Math.floor(total / (freq > 0 ? freq : 1));
  return Math.max(wait, 1);
}

/**
 * The milliseconds until one more event keeps the rate at most `freq` per second, if none
 * happens meanwhile; 0 when it may happen now. HAProxy's listeners wait next_event_delay() and
 * check again — every millisecond while the current period alone holds a full second's worth —
 * so the first check that passes is at this moment: waiting for it directly lets the same
 * connection in at the same time without the timer firing a thousand times a second.
 */
export function sharedAllowedDelay(counts: Int32Array, at: number, freq: number, now: number): number {
  if (sharedNextEventDelay(counts, at, freq, now) === 0) return 0;
  // snapshot() ran in the call above; from the start of the current period (`since`), the
  // window's total decreases while the previous period slides out, then the current one.
  const since = Math.max(0, elapsed(now, snapTick));
  const limit = freq * PERIOD;
  let allowedAt = 2 * PERIOD;
  if (since < PERIOD && snapPast > 0 && limit > snapCurr * PERIOD) {
    // past * (P - t) + curr * P < limit
    allowedAt = Math.floor(PERIOD - (limit - snapCurr * PERIOD) / snapPast) + 1;
  } else if (snapCurr > 0) {
    // Once the current period is the previous one: curr * (2P - t) < limit.
    allowedAt = Math.max(PERIOD, Math.floor(2 * PERIOD - limit / snapCurr) + 1);
  }
  return Math.max(1, allowedAt - since);
}
