/**
 * A server's or a backend's queue of waiting sessions, ordered as HAProxy 2.6's (queue.c): each
 * waiter has a 32-bit key, its priority class (`set-priority-class`, -2047..2047) in the top 12
 * bits and the millisecond it was queued plus its offset (`set-priority-offset`) in the low 20.
 * The lowest class is served first, then, within a class, the earliest time: since the 20-bit
 * time wraps every 17m28s, "earliest" is measured from a boundary 524288 ms before now
 * (pendconn_first), so a time more than that in the past counts as the far future.
 *
 * The entries are kept sorted by key, equal keys in arrival order (HAProxy's eb32 tree with
 * duplicates): finding the first is two binary searches, as HAProxy's two tree lookups.
 */
import type { QueueEntry } from './server.ts';

/** The lowest and highest class and offset (queue_limit_class / queue_limit_offset). */
export const PRIORITY_CLASS_MAX = 0x7ff;
export const PRIORITY_OFFSET_MAX = 0x7ffff;

const OFFSET_MASK = 0xfffff;
/** TIMER_LOOK_BACK >> 12: how far back from now a time still counts as past. */
const LOOK_BACK = 0x80000;

/** HAProxy's int parameter: the low 32 bits of the 64-bit sample, then the range. */
function clampInt(value: number, max: number): number {
  const n = value | 0;
  return n < -max ? -max : n > max ? max : n;
}

/** A class from an integer sample (queue_limit_class). */
export function limitPriorityClass(value: number): number {
  return clampInt(value, PRIORITY_CLASS_MAX);
}

/** An offset in ms from an integer sample (queue_limit_offset). */
export function limitPriorityOffset(value: number): number {
  return clampInt(value, PRIORITY_OFFSET_MAX);
}

/** MAKE_KEY: the key of a waiter of class `priorityClass` and offset `priorityOffset` queued at `nowMs`. */
export function queueKey(priorityClass: number, priorityOffset: number, nowMs: number): number {
  return (((priorityClass + PRIORITY_CLASS_MAX) << 20) | ((nowMs + priorityOffset) & OFFSET_MASK)) >>> 0;
}

function keyClass(key: number): number {
  return (key & 0xfff00000) >>> 0;
}

/** NOW_OFFSET_BOUNDARY: times from here on (modulo 2^20) are the past, those below it the future. */
function offsetBoundary(nowMs: number): number {
  return (nowMs - LOOK_BACK) & OFFSET_MASK;
}

/** Where a key's time stands in its class at `boundary`: the smaller, the sooner served. */
function timeRank(key: number, boundary: number): number {
  return ((key & OFFSET_MASK) - boundary) & OFFSET_MASK;
}

/**
 * Compares two keys at `nowMs` as pendconn_process_next_strm compares a server queue's first
 * with its backend queue's: negative when `a` goes first, positive when `b` does, 0 when neither
 * (HAProxy then takes the server's).
 */
export function compareKeys(a: number, b: number, nowMs: number): number {
  const ca = keyClass(a);
  const cb = keyClass(b);
  if (ca !== cb) return ca < cb ? -1 : 1;
  const boundary = offsetBoundary(nowMs);
  return timeRank(a, boundary) - timeRank(b, boundary);
}

/**
 * Whether the first entry of a queue, published at `publishedAt` with `key`, may not be the first
 * any more at `nowMs`: its time crossed the boundary since (it went to the back of its class),
 * the only way time alone changes a queue's first.
 */
export function firstMayHaveMoved(key: number, publishedAt: number, nowMs: number): boolean {
  return ((nowMs - publishedAt) | 0) > timeRank(key, offsetBoundary(publishedAt));
}

export class PendingQueue {
  readonly #entries: QueueEntry[] = [];

  get length(): number {
    return this.#entries.length;
  }

  /** Adds `entry` after the entries of the same key (eb32_insert of a duplicate). */
  add(entry: QueueEntry): void {
    const entries = this.#entries;
    const last = entries[entries.length - 1];
    // Without priorities keys grow with time: the common case appends.
    if (last === undefined || last.key <= entry.key) {
      entries.push(entry);
      return;
    }
    entries.splice(this.#firstAbove(entry.key), 0, entry);
  }

  /** The entry served next at `nowMs` (pendconn_first); undefined when empty. */
  first(nowMs: number): QueueEntry | undefined {
    return this.#entries[this.#firstIndex(nowMs)];
  }

  /** Removes the entry served next at `nowMs` and returns it. */
  takeFirst(nowMs: number): QueueEntry | undefined {
    const entries = this.#entries;
    const i = this.#firstIndex(nowMs);
    if (i === 0) return entries.shift();
    // Only when some times of the first class lie before the look-back boundary; splice allocates its result.
    return i < entries.length ? entries.splice(i, 1)[0] : undefined;
  }

  /**
   * pendconn_first: the lowest class is the first entry's; in it, the first time from the
   * boundary on, else (all of the class is below the boundary, the future) its lowest time.
   */
  #firstIndex(nowMs: number): number {
    const entries = this.#entries;
    const lowest = entries[0];
    if (lowest === undefined) return 0;
    const cls = keyClass(lowest.key);
    const i = this.#firstAtLeast((cls | offsetBoundary(nowMs)) >>> 0);
    const found = entries[i];
    return found !== undefined && keyClass(found.key) === cls ? i : 0;
  }

  /** Removes the entry of `waiter`, if it waits here. */
  remove(waiter: QueueEntry['waiter']): QueueEntry | undefined {
    const i = this.#entries.findIndex((e) => e.waiter === waiter);
    return i < 0 ? undefined : this.#entries.splice(i, 1)[0];
  }

  /** Removes every entry, in key order. */
  takeAll(): QueueEntry[] {
    return this.#entries.splice(0, this.#entries.length);
  }

  /** The index of the first entry whose key is >= `key` (eb32_lookup_ge). */
  #firstAtLeast(key: number): number {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#entries[mid] as QueueEntry).key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index of the first entry whose key is > `key`. */
  #firstAbove(key: number): number {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#entries[mid] as QueueEntry).key <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
