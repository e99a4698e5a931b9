/**
 * What the threads of `nbthread N` share about servers and backends, in one Int32Array over a
 * SharedArrayBuffer: each server's process-wide session count (which `balance leastconn`
 * balances on and `maxconn` bounds), each backend's sessions (beconn, which a dynamic maxconn
 * follows), and the queues' shared figures (shared-queue.ts). Every thread builds the same
 * generation in the same order and runs the runtime API's `add server` in the same order, so a
 * server or a backend gets the same slot in each; the slots beyond the configuration's servers
 * are for servers added at run time (past them, a new server's figures stay its thread's own).
 *
 * Layout: [0] threads, [1] server slots S, [2] backend slots B, [3] the queues' ticket counter;
 * then S servers' sessions, B backends' sessions, B backends' released slots, B backends'
 * round-robin positions, the waiters of Q = S + B queues (server queues first, numbered as their
 * servers), each thread's Q queue head tickets, their keys and the times they were published.
 */
import type { Server } from '../proxy/server.ts';
import { SharedQueue } from './shared-queue.ts';

/** Slots kept for servers added at run time (`add server`). */
export const RUNTIME_SERVER_SLOTS = 1024;

const THREADS = 0;
const SERVER_SLOTS = 1;
const BACKEND_SLOTS = 2;
const TICKET = 3;
const FIRST_SERVER = 4;

/** A backend's shared figures. */
export interface SharedBackend {
  readonly counts: Int32Array;
  /** Its sessions in the process (beconn). */
  readonly sessions: number;
  /** Server slots its threads released so far (a thread's balancer looks again at its full servers when it moved). */
  readonly releases: number;
  /** Its round-robin position: one rotation for the process, as HAProxy's lb tree under its lock. */
  readonly rotation: number;
  readonly queue: SharedQueue;
}

/** Tells thread `thread` (not this one) that queue `queue`'s server has a slot for its waiters. */
export type WakeThread = (thread: number, queue: number) => void;

export class ServerCounts {
  readonly #counts: Int32Array;
  readonly #thread: number;
  readonly #threads: number;
  readonly #servers: number;
  readonly #backends: number;
  #nextServer = 0;
  #nextBackend = 0;
  /** What a wake for each server queue runs in this thread (Backend: its dequeue). */
  readonly #wakers = new Map<number, () => void>();
  /** Set by the thread group (main thread) or the thread's channel. */
  wakeThread: WakeThread | undefined = undefined;

  constructor(counts: Int32Array, thread: number) {
    this.#counts = counts;
    this.#thread = thread;
    this.#threads = counts[THREADS] as number;
    this.#servers = counts[SERVER_SLOTS] as number;
    this.#backends = counts[BACKEND_SLOTS] as number;
  }

  /** The shared memory of a process with `threads` threads, `servers` servers and `backends` backends. */
  static create(servers: number, backends: number, threads: number): SharedArrayBuffer {
    const s = servers + RUNTIME_SERVER_SLOTS;
    const queues = s + backends;
    const buffer = new SharedArrayBuffer(4 * (FIRST_SERVER + s + 3 * backends + queues + 3 * threads * queues));
    const counts = new Int32Array(buffer);
    counts[THREADS] = threads;
    counts[SERVER_SLOTS] = s;
    counts[BACKEND_SLOTS] = backends;
    return buffer;
  }

  #queue(index: number): SharedQueue {
    const queues = this.#servers + this.#backends;
    const waiting = FIRST_SERVER + this.#servers + 3 * this.#backends;
    return new SharedQueue(
      this.#counts,
      {
        waiting: waiting + index,
        head: waiting + queues + index,
        headKey: waiting + queues + this.#threads * queues + index,
        headTime: waiting + queues + 2 * this.#threads * queues + index,
        headStride: queues,
        ticket: TICKET,
      },
      index,
      this.#thread,
      this.#threads,
      this,
    );
  }

  /** Gives `server` its shared slots; `dequeue` is what a wake for its queue runs here. */
  assign(server: Server, dequeue: () => void): void {
    if (this.#nextServer >= this.#servers) return;
    const slot = this.#nextServer++;
    server.sharedActive = { counts: this.#counts, slot: FIRST_SERVER + slot };
    server.sharedQueue = this.#queue(slot);
    this.#wakers.set(slot, dequeue);
  }

  /** A backend's shared slots (every thread builds the same backends in the same order). */
  assignBackend(): SharedBackend | undefined {
    if (this.#nextBackend >= this.#backends) return undefined;
    const slot = this.#nextBackend++;
    const sessions = FIRST_SERVER + this.#servers + slot;
    return { counts: this.#counts, sessions, releases: sessions + this.#backends, rotation: sessions + 2 * this.#backends, queue: this.#queue(this.#servers + slot) };
  }

  wake(thread: number, queue: number): void {
    if (thread === this.#thread) this.woken(queue);
    else this.wakeThread?.(thread, queue);
  }

  /** Another thread freed a slot of queue `queue`'s server: this one's waiters may take it. */
  woken(queue: number): void {
    this.#wakers.get(queue)?.();
  }
}
