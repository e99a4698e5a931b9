/**
 * Process-wide connection accounting (`global maxconn`, HAProxy's actconn). Frontends that hold
 * connections back because of it register here and are offered capacity as sessions end. It
 * also carries the process's buffer geometry (`tune.bufsize`, `tune.maxrewrite`), the other
 * global bound every session reads.
 */
import { DEFAULT_BUFFER_SIZES, type BufferSizes } from '../http/buffer-sizes.ts';

export interface WaitingFrontend {
  /** Admits held connections while capacity allows; returns true if any remain held. */
  admitWaiting(): boolean;
}

/**
 * Where the connection counts live: [0] the process's current connections (actconn), [1] the
 * threads holding connections back, [FIRST_FRONTEND_SLOT + i] frontend i's connections. A
 * plain Int32Array in a one-thread process; with `nbthread`, one SharedArrayBuffer the threads
 * share (src/threads/), counted with Atomics so that `global maxconn` and a frontend's
 * `maxconn` hold for the process, not per thread.
 */
export const FIRST_FRONTEND_SLOT = 2;

/** The counts of a process whose configuration has `frontends` frontends. */
export function connectionCountSlots(frontends: number): number {
  return FIRST_FRONTEND_SLOT + frontends;
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

  constructor(maxconn: number, buffers: BufferSizes = DEFAULT_BUFFER_SIZES, counts?: Int32Array) {
    this.maxconn = maxconn;
    this.buffers = buffers;
    this.#counts = counts ?? new Int32Array(FIRST_FRONTEND_SLOT + 64);
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

  /** ... and ends; call released() once its frontend has admitted what it held. */
  closed(slot: number): void {
    Atomics.sub(this.#counts, 0, 1);
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
