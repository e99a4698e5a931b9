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

export class ProcessLimits {
  /** 0 = unlimited; the runtime API (`set maxconn global`) may change it, then calls released(). */
  maxconn: number;
  /** Current sessions across all frontends (%ac). */
  current = 0;
  /** Streams started so far (HAProxy's global.req_count): the next stream's %rt. */
  #streams = 0;
  readonly #waiting = new Set<WaitingFrontend>();

  /** `tune.bufsize` / `tune.maxrewrite`: how much of a message the proxy holds (heads, inspected bytes, held bodies). */
  readonly buffers: BufferSizes;

  constructor(maxconn: number, buffers: BufferSizes = DEFAULT_BUFFER_SIZES) {
    this.maxconn = maxconn;
    this.buffers = buffers;
  }

  /** Numbers a new stream (an HTTP request, a tcp connection): HAProxy's uniq_id. */
  nextStreamId(): number {
    return this.#streams++;
  }

  get full(): boolean {
    return this.maxconn > 0 && this.current >= this.maxconn;
  }

  hold(frontend: WaitingFrontend): void {
    this.#waiting.add(frontend);
  }

  /** A session ended somewhere: let held connections in, oldest frontend first. */
  released(): void {
    if (this.#waiting.size === 0) return;
    for (const frontend of this.#waiting) {
      if (this.full) return;
      if (!frontend.admitWaiting()) this.#waiting.delete(frontend);
    }
  }
}
