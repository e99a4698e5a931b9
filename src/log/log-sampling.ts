/**
 * `log ... sample RANGES:SIZE`, HAProxy 2.6's log load-balancing: each target counts the lines
 * offered to it and takes those whose index (1-based, modulo SIZE) falls in its ranges, the
 * ranges consumed in order (log.c's process_send_log). The count belongs to the target, so a
 * global target shared by several proxies through `log global` samples all their lines as one
 * sequence.
 */
import type { LogSample, LogTarget } from '../config/model.ts';

interface Cursor {
  /** Index of the next line in the period (0-based). */
  index: number;
  /** The range being consumed, and how many of its lines were taken. */
  range: number;
  taken: number;
}

export class LogSampling {
  readonly #cursors = new WeakMap<LogTarget, Cursor>();

  /** Whether `target` takes the line now offered to it (always, without `sample`). */
  takes(target: LogTarget): boolean {
    const sample = target.sample;
    if (sample === undefined) return true;
    let cursor = this.#cursors.get(target);
    if (cursor === undefined) {
      cursor = { index: 0, range: 0, taken: 0 };
      this.#cursors.set(target, cursor);
    }
    return advance(sample, cursor);
  }
}

function advance(sample: LogSample, cursor: Cursor): boolean {
  const range = sample.ranges[cursor.range] as { low: number; high: number };
  const position = cursor.index + 1;
  const inRange = position >= range.low && position <= range.high;
  if (inRange) {
    cursor.taken = (cursor.taken + 1) % (range.high - range.low + 1);
    if (cursor.taken === 0) cursor.range = (cursor.range + 1) % sample.ranges.length;
  }
  cursor.index = (cursor.index + 1) % sample.size;
  return inRange;
}
