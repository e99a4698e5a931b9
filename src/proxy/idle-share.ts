/**
 * The share of recent time this thread's event loop spent waiting for events: HAProxy 2.6's
 * th_ctx->idle_pct (clock.c, clock_measure_idle), which `show info`'s Idle_pct, Prometheus'
 * haproxy_process_idle_time_percent, the stats page's "idle = N %" and `maxcompcpuusage` read.
 * HAProxy adds up the time slept in the poller and the time elapsed, from one poller exit to
 * the next, and once the elapsed time reaches half a second it publishes
 * (100 * idle + elapsed / 2) / elapsed (integer microseconds) and starts a new window; a thread
 * starts at 100. Here a timer stands for the poller's exits, and the runtime's busy time of the
 * event loop (Runtime.loopBusyTime) for the time outside the poller.
 */
import type { Runtime, TimerHandle } from '../runtime.ts';
import type { ProcessLimits } from './process-limits.ts';

/** clock_measure_idle publishes once a window reaches this many microseconds. */
const SAMPLE_US = 500_000;

/** One thread's windows (HAProxy's thread-local samp_time and idle_time). */
export class IdleWindow {
  #elapsedUs = 0;
  #idleUs = 0;

  /**
   * Adds a stretch of `elapsedMs` of which `busyMs` were spent running; returns the idle
   * percentage when the window is complete (and starts the next one), else undefined.
   */
  add(elapsedMs: number, busyMs: number): number | undefined {
    const elapsedUs = Math.max(0, Math.round(elapsedMs * 1000));
    // Busy time measured by another clock may overshoot the elapsed time by a little.
    const busyUs = Math.min(elapsedUs, Math.max(0, Math.round(busyMs * 1000)));
    this.#elapsedUs += elapsedUs;
    this.#idleUs += elapsedUs - busyUs;
    if (this.#elapsedUs < SAMPLE_US) return undefined;
    const pct = Math.floor((100 * this.#idleUs + Math.floor(this.#elapsedUs / 2)) / this.#elapsedUs);
    this.#elapsedUs = 0;
    this.#idleUs = 0;
    return pct;
  }
}

/** How often the sampler looks: HAProxy's window, so that each tick about closes one. */
const TICK_MS = SAMPLE_US / 1000;

/**
 * Samples the runtime's busy time of this thread's loop every half second and publishes the
 * thread's figure in the process limits, which every thread reads. A runtime without the
 * measure leaves the figure unknown (Idle_pct then stays empty).
 */
export class IdleSampler {
  readonly #runtime: Runtime;
  readonly #limits: ProcessLimits;
  readonly #thread: number;
  readonly #window = new IdleWindow();
  #at = 0;
  #busy = 0;
  #timer: TimerHandle | undefined;

  constructor(runtime: Runtime, limits: ProcessLimits, thread: number) {
    this.#runtime = runtime;
    this.#limits = limits;
    this.#thread = thread;
  }

  start(): void {
    const busy = this.#runtime.loopBusyTime?.();
    if (busy === undefined || this.#timer !== undefined) return;
    this.#at = this.#runtime.now();
    this.#busy = busy;
    this.#limits.reportIdle(this.#thread, 100);
    this.#arm();
  }

  stop(): void {
    if (this.#timer === undefined) return;
    this.#runtime.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    this.#timer = this.#runtime.setTimer(() => this.#tick(), TICK_MS);
  }

  #tick(): void {
    const now = this.#runtime.now();
    const busy = this.#runtime.loopBusyTime?.();
    if (busy === undefined) return this.#limits.reportIdle(this.#thread, undefined);
    const pct = this.#window.add(now - this.#at, busy - this.#busy);
    this.#at = now;
    this.#busy = busy;
    if (pct !== undefined) this.#limits.reportIdle(this.#thread, pct);
    this.#arm();
  }
}
