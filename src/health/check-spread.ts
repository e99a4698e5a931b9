/**
 * HAProxy's check spreading (check.c): `spread-checks` randomises every interval after a probe,
 * start_checks staggers the first probes, `max-spread-checks` bounds that stagger.
 */

/** HAProxy's SRV_CHK_INTER_THRES: shorter intervals do not dictate the startup spread. */
export const SPREAD_THRESHOLD_MS = 1000;

/**
 * The delay before the next probe (process_chk_conn): with `spread-checks N`, rv = inter × N / 100
 * in whole ms, then rv -= 2 × rv × random, so the interval is inter ± up to N %.
 */
export function spreadInterval(inter: number, percent: number, random: () => number): number {
  if (percent <= 0) return inter;
  let rv = Math.trunc((inter * percent) / 100);
  rv -= Math.trunc(2 * rv * random());
  return Math.max(0, inter + rv);
}

/**
 * The first probe's delay (start_check_task): the `position`-th of `count` checks starts after
 * max(mininter, its interval) × position / count, that span capped by `max-spread-checks`.
 */
export function firstCheckDelay(mininter: number, inter: number, maxSpread: number | undefined, position: number, count: number): number {
  let spreadOver = Math.max(mininter, inter);
  if (maxSpread !== undefined && maxSpread > 0 && spreadOver > maxSpread) spreadOver = maxSpread;
  return Math.trunc((spreadOver * position) / count);
}
