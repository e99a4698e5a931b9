import type { TuneModel } from '../config/model.ts';
import type { ProcessLimits } from './process-limits.ts';

/** HAProxy's defaults for tune.pool-low-fd-ratio and tune.pool-high-fd-ratio (percent). */
const DEFAULT_LOW_RATIO = 20;
const DEFAULT_HIGH_RATIO = 25;

/**
 * The process's file descriptors as the idle server connection pools see them: HAProxy's
 * ha_used_fds against tune.pool-low-fd-ratio / tune.pool-high-fd-ratio of maxsock. Above the
 * low count a server keeps at most the idle connection it has; above the high count none, and
 * a new server connection closes an idle one.
 *
 * maxsock is HAProxy's compute_ideal_maxsock() (src/proxy/ideal-maxconn.ts): two fds per
 * `global maxconn` connection, plus the sockets the configuration reserves. Without a global
 * maxconn (unlimited: the process's fd limit could not be read to derive one) there is no fd
 * bound and only the per-server estimate bounds the pools. The fds in use are counted, not read from the kernel:
 * listeners, client connections (`ProcessLimits.current`), server connections held by
 * sessions (counted by the backends) and idle ones (counted by the pools).
 */
export class FdUsage {
  /** Server connection slots held by sessions, every backend together (Backend keeps it). */
  serverConnsInUse = 0;
  /** Idle server connections, every pool together (ServerConnectionPool keeps it). */
  idleServerConns = 0;
  /** Fds in use at and above which a server keeps one idle connection at most. */
  readonly lowCount: number;
  /** Fds in use at and above which no idle connection is kept. */
  readonly highCount: number;
  readonly #limits: ProcessLimits;
  readonly #listeners: number;

  /** `maxsock`: HAProxy's global.maxsock; 0 without a global maxconn (no fd bound). */
  constructor(limits: ProcessLimits, listeners: number, tune: TuneModel | undefined, maxsock: number) {
    this.#limits = limits;
    this.#listeners = listeners;
    if (maxsock === 0) {
      this.lowCount = Infinity;
      this.highCount = Infinity;
    } else {
      // HAProxy rounds up: (maxsock * ratio + 99) / 100.
      this.lowCount = Math.floor((maxsock * (tune?.poolLowFdRatio ?? DEFAULT_LOW_RATIO) + 99) / 100);
      this.highCount = Math.floor((maxsock * (tune?.poolHighFdRatio ?? DEFAULT_HIGH_RATIO) + 99) / 100);
    }
  }

  /** HAProxy's ha_used_fds. */
  get used(): number {
    return this.#listeners + this.#limits.current + this.serverConnsInUse + this.idleServerConns;
  }
}
