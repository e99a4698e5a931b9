/**
 * A server's or a backend's queue with several threads (`nbthread`): each thread keeps its own
 * waiters (they are its sessions), and the threads share, in memory, how many wait in the
 * process (for `maxqueue` and for a new session that must queue behind them) and the key and
 * ticket of each thread's first waiter. Keys order waiters by priority and queue time
 * (src/proxy/pending-queue.ts, from a clock the threads agree on), tickets come from one
 * process-wide counter and order equal keys, so the first waiter of the process is found by
 * comparing the threads' heads: a freed slot goes to it, wherever it waits (the thread that
 * freed the slot tells the thread holding it: ServerCounts.wake).
 *
 * A thread publishes its first waiter when its queue changes and before it compares heads. Which
 * of its waiters is first can also change with time alone (a queue time 524 s in the past counts
 * as the future, see pending-queue.ts): a head published before its waiter's time crossed that
 * line is stale, and its thread is woken to publish its heads again and look for itself.
 */
import { compareKeys, firstMayHaveMoved } from '../proxy/pending-queue.ts';
import type { ServerCounts } from './server-counts.ts';

/** Where a queue's figures are in the shared Int32Array (laid out by ServerCounts). */
export interface SharedQueueSlots {
  /** The queue's waiters in the process. */
  readonly waiting: number;
  /** Thread 0's head ticket; thread t's is at head + t * headStride. */
  readonly head: number;
  /** Thread 0's head key; thread t's is at headKey + t * headStride. */
  readonly headKey: number;
  /** When thread 0 published its head (the queues' clock, ms); thread t's at headTime + t * headStride. */
  readonly headTime: number;
  readonly headStride: number;
  /** The process-wide ticket counter. */
  readonly ticket: number;
}

/** Ticket `a` was given before ticket `b` (the counter wraps around). */
export function ticketBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export class SharedQueue {
  /** This thread's index. */
  readonly thread: number;
  /** The queue's number, which names it to the other threads (ServerCounts.woken). */
  readonly index: number;
  readonly #counts: Int32Array;
  readonly #slots: SharedQueueSlots;
  readonly #threads: number;
  readonly #owner: ServerCounts;

  constructor(counts: Int32Array, slots: SharedQueueSlots, index: number, thread: number, threads: number, owner: ServerCounts) {
    this.#counts = counts;
    this.#slots = slots;
    this.index = index;
    this.thread = thread;
    this.#threads = threads;
    this.#owner = owner;
  }

  /** The waiters of every thread. */
  get waiting(): number {
    return Atomics.load(this.#counts, this.#slots.waiting);
  }

  /** Counts one more waiter, unless `max` (> 0) wait already (`maxqueue` holds for the process). */
  join(max: number): boolean {
    const at = this.#slots.waiting;
    if (max <= 0) {
      Atomics.add(this.#counts, at, 1);
      return true;
    }
    let seen = Atomics.load(this.#counts, at);
    for (;;) {
      if (seen >= max) return false;
      const was = Atomics.compareExchange(this.#counts, at, seen, seen + 1);
      if (was === seen) return true;
      seen = was;
    }
  }

  /** `count` waiters left this queue (served, gone, or moved to another queue). */
  leave(count = 1): void {
    Atomics.sub(this.#counts, this.#slots.waiting, count);
  }

  /** A ticket for a new waiter: later than every ticket given before, in any thread (never 0). */
  ticket(): number {
    for (;;) {
      const t = (Atomics.add(this.#counts, this.#slots.ticket, 1) + 1) | 0;
      if (t !== 0) return t;
    }
  }

  /**
   * Publishes the ticket (0: none) and the key of this thread's first waiter at `nowMs`; the
   * ticket last, as readers test it first.
   */
  setHead(ticket: number, key: number, nowMs: number): void {
    const at = this.thread * this.#slots.headStride;
    Atomics.store(this.#counts, this.#slots.headKey + at, key | 0);
    Atomics.store(this.#counts, this.#slots.headTime + at, nowMs | 0);
    Atomics.store(this.#counts, this.#slots.head + at, ticket);
  }

  /** Thread `thread`'s first waiter's ticket; 0 when it has none. */
  headOf(thread: number): number {
    return Atomics.load(this.#counts, this.#slots.head + thread * this.#slots.headStride);
  }

  /** Thread `thread`'s first waiter's key (meaningful while headOf is not 0). */
  headKeyOf(thread: number): number {
    return Atomics.load(this.#counts, this.#slots.headKey + thread * this.#slots.headStride) >>> 0;
  }

  /** Thread `thread`'s head may be stale at `nowMs` (pending-queue.ts firstMayHaveMoved). */
  headStale(thread: number, key: number, nowMs: number): boolean {
    return firstMayHaveMoved(key, Atomics.load(this.#counts, this.#slots.headTime + thread * this.#slots.headStride), nowMs);
  }

  get threads(): number {
    return this.#threads;
  }

  /** Tells thread `thread` that a slot of this queue's server may be taken by its waiters. */
  wake(thread: number): void {
    this.#owner.wake(thread, this.index);
  }
}

/**
 * The thread holding the first waiter of the process at `nowMs` among `a` and `b` (a server's
 * queue and, when that server may serve it, its backend's queue); -1 when nobody waits. Keys
 * decide (a server queue's waiter before a backend queue's of the same key, as HAProxy's
 * pendconn_process_next_strm), then tickets. Another thread whose head is stale is returned at
 * once: woken, it publishes its heads again and looks (this thread's own are this moment's).
 */
export function firstWaiterThread(a: SharedQueue, b: SharedQueue | undefined, nowMs: number): number {
  let best = -1;
  let bestTicket = 0;
  let bestKey = 0;
  let bestOwn = false;
  for (let t = 0; t < a.threads; t++) {
    const own = a.headOf(t);
    if (own !== 0) {
      const key = a.headKeyOf(t);
      if (t !== a.thread && a.headStale(t, key, nowMs)) return t;
      const order = best < 0 ? -1 : compareKeys(key, bestKey, nowMs);
      if (order < 0 || (order === 0 && (!bestOwn || ticketBefore(own, bestTicket)))) {
        best = t;
        bestTicket = own;
        bestKey = key;
        bestOwn = true;
      }
    }
    if (b === undefined) continue;
    const shared = b.headOf(t);
    if (shared !== 0) {
      const key = b.headKeyOf(t);
      if (t !== a.thread && b.headStale(t, key, nowMs)) return t;
      const order = best < 0 ? -1 : compareKeys(key, bestKey, nowMs);
      if (order < 0 || (order === 0 && !bestOwn && ticketBefore(shared, bestTicket))) {
        best = t;
        bestTicket = shared;
        bestKey = key;
        bestOwn = false;
      }
    }
  }
  return best;
}
