/**
 * `slowstart T`: after a health check brings a server back UP, its effective weight and
 * maxconn ramp up over T instead of taking full traffic at once (HAProxy's server_warmup +
 * server_recalc_eweight + srv_dynamic_maxconn). The ramp steps every max(1 s, T/20):
 *
 *   weight  = max(1, ceil(userWeight × elapsed / T))   (dynamic algorithms only; 0 stays 0)
 *   maxconn = max(1, floor(maxconn × elapsed / T))     (0 = unlimited stays unlimited)
 *
 * Static algorithms (static-rr, first, map-based hashing) cannot change weights on the fly in
 * HAProxy, so only their maxconn ramps. The timer exists only while a ramp is under way.
 */
import type { BackendModel } from '../config/model.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { Runtime, TimerHandle } from '../runtime.ts';

/** HAProxy's BE_LB_PROP_DYN: algorithms whose server weights can change at run time. */
export function hasDynamicWeights(model: Pick<BackendModel, 'balance' | 'hashType'>): boolean {
  switch (model.balance.algorithm) {
    case 'roundrobin':
    case 'leastconn':
    case 'random':
      return true;
    case 'static-rr':
    case 'first':
      return false;
    default:
      return model.hashType?.method === 'consistent';
  }
}

export class SlowStart {
  readonly #runtime: Runtime;
  readonly #backend: Backend;
  readonly #server: Server;
  readonly #dynamicWeight: boolean;
  #timer: TimerHandle | undefined;
  #startedAt = 0;

  constructor(runtime: Runtime, backend: Backend, server: Server, dynamicWeight: boolean) {
    this.#runtime = runtime;
    this.#backend = backend;
    this.#server = server;
    this.#dynamicWeight = dynamicWeight;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Starts a ramp at `now`. Call it just before the server is set UP, so that the first
   * sessions the UP transition dequeues already see the reduced limits.
   */
  begin(now: number): void {
    if (this.#server.slowstart <= 0) return;
    this.stop();
    // HAProxy shows the server as starting (its throttle) even when nothing ramps.
    this.#server.rampSince = now;
    // Nothing to ramp: a static algorithm ignores weight changes and there is no maxconn.
    if (!this.#dynamicWeight && this.#server.maxconnConfigured === 0) return;
    this.#startedAt = now;
    if (this.#apply(now)) this.#schedule();
  }

  /** Ends the ramp where it is (the server went DOWN, or the service stops). */
  stop(): void {
    this.#server.rampSince = undefined;
    if (this.#timer !== undefined) {
      this.#runtime.clearTimer(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(): void {
    const step = Math.max(1000, this.#server.slowstart / 20);
    this.#timer = this.#runtime.setTimer(() => {
      this.#timer = undefined;
      if (this.#server.status === 'DOWN' || this.#server.status === 'MAINT') return;
      if (this.#apply(this.#runtime.now())) this.#schedule();
    }, step);
  }

  /** Sets the limits for this moment of the ramp; false once the ramp is complete. */
  #apply(now: number): boolean {
    const s = this.#server;
    const elapsed = now - this.#startedAt;
    if (elapsed >= s.slowstart) {
      s.rampSince = undefined;
      this.#backend.setServerWeight(s, s.userWeight, s.maxconnConfigured);
      return false;
    }
    const ratio = elapsed / s.slowstart;
    const weight = this.#dynamicWeight && s.userWeight > 0 ? Math.max(1, Math.ceil(s.userWeight * ratio)) : s.userWeight;
    const maxconn = s.maxconnConfigured === 0 ? 0 : Math.max(1, Math.floor(s.maxconnConfigured * ratio));
    this.#backend.setServerWeight(s, weight, maxconn);
    return true;
  }
}
