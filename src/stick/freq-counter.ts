/**
 * HAProxy's frequency counters (include/haproxy/freq_ctr.h, src/freq_ctr.c at v2.6.0): an event
 * count over a rolling window of `period` ms, kept as three numbers — the start of the current
 * period (`curr_tick`), the events counted in it (`curr_ctr`) and those of the previous period
 * (`prev_ctr`). A read weights the previous period by the part of it still inside the window
 * ending now: `(prev * remain + curr * period) / period`, `remain` being what is left of the
 * current period.
 *
 * The three numbers live at `at`, `at + 1`, `at + 2` of a stick-table entry's Float64Array, so an
 * update allocates nothing. Times are integer milliseconds (HAProxy's now_ms); a counter never
 * updated has `curr_tick` = -Infinity, which the first update turns into "now", as HAProxy's
 * rotation does for a zeroed counter ("we missed at least two periods").
 */

const TICK = 0;
const CURR = 1;
const PREV = 2;

/** Slots a frequency counter takes in an entry's data. */
export const FREQ_CTR_SLOTS = 3;

/** The slot of the current period's count (what HAProxy's update_freq_ctr returns, for the `*_max` stats). */
export const FREQ_CTR_CURR = CURR;

/** Puts a zeroed counter at `at` (never updated). */
export function initFreqCtr(data: Float64Array, at: number): void {
  data[at + TICK] = Number.NEGATIVE_INFINITY;
  data[at + CURR] = 0;
  data[at + PREV] = 0;
}

/** HAProxy releases the rotation lock with `curr_tick & ~1`: ticks are even. */
function even(tick: number): number {
  return tick - (tick % 2);
}

/**
 * update_freq_ctr_period(): counts `inc` events at `time` (ms, rounded down to HAProxy's integer
 * ticks here). Returns nothing: a number returned from a call that is not inlined is boxed.
 */
export function updateFreqCtr(data: Float64Array, at: number, period: number, time: number, inc: number): void {
  const now = Math.floor(time);
  const tick = data[at + TICK] as number;
  if (now - tick < period) {
    data[at + CURR] = (data[at + CURR] as number) + inc;
    return;
  }
  // Rotation: the current period becomes the previous one.
  data[at + PREV] = data[at + CURR] as number;
  data[at + CURR] = inc;
  let next = tick + period;
  if (now - next >= period) {
    // At least two periods went by without an event: nothing of them is left in the window.
    data[at + PREV] = 0;
    next = now;
  }
  data[at + TICK] = even(next);
}

/**
 * freq_ctr_total(): the events in the window ending at `now`, times `period`. `pend` < 0 turns
 * on HAProxy's flapping correction at very low rates (no event in the current period and at
 * most one in the previous: the previous count is reported whole).
 */
export function freqCtrTotal(data: Float64Array, at: number, period: number, now: number, pend: number): number {
  let curr = data[at + CURR] as number;
  let past = data[at + PREV] as number;
  let remain = (data[at + TICK] as number) + period - now;
  if (remain < 0) {
    // Past the current period: what is left of it is the previous one's share.
    remain += period;
    past = remain >= 0 ? curr : 0;
    curr = 0;
  }
  if (pend < 0) {
    pend = 0;
    if (curr === 0 && past <= 1) return past * period;
  }
  return past * remain + (curr + pend) * period;
}

/** read_freq_ctr_period(): the events per `period` in the window ending at `now` (rounded down). */
export function readFreqCtr(data: Float64Array, at: number, period: number, now: number): number {
  if ((data[at + TICK] as number) === Number.NEGATIVE_INFINITY) return 0;
  return Math.floor(freqCtrTotal(data, at, period, Math.floor(now), -1) / period);
}

/**
 * freq_ctr_remain_period(): how many more events may happen at `now` while keeping at most
 * `freq` per period, `pend` being already pending; 0 once the limit is reached.
 */
export function freqCtrRemain(data: Float64Array, at: number, period: number, freq: number, pend: number, now: number): number {
  const total = (data[at + TICK] as number) === Number.NEGATIVE_INFINITY ? pend * period : freqCtrTotal(data, at, period, now, pend);
  const avg = Math.floor(total / period);
  return avg > freq ? 0 : freq - avg;
}
