/**
 * The servers' process-wide session counts with several threads (`nbthread`): one Int32 slot
 * each in memory the threads share, so that `balance leastconn` sees the sessions of every
 * thread. Every thread builds the same generation in the same order and runs the runtime API's
 * `add server` in the same order, so a server gets the same slot in each; the slots beyond the
 * configuration's servers are for servers added at run time (past them, a new server's count
 * stays its thread's own).
 */
import type { Server } from '../proxy/server.ts';

/** Slots kept for servers added at run time (`add server`). */
export const RUNTIME_SERVER_SLOTS = 1024;

export class ServerCounts {
  readonly #counts: Int32Array;
  #next = 0;

  constructor(counts: Int32Array) {
    this.#counts = counts;
  }

  /** The number of Int32 slots for a configuration with `servers` servers. */
  static slotsFor(servers: number): number {
    return servers + RUNTIME_SERVER_SLOTS;
  }

  assign(server: Server): void {
    if (this.#next >= this.#counts.length) return;
    server.sharedActive = { counts: this.#counts, slot: this.#next++ };
  }
}
