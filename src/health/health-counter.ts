/**
 * The rise/fall state machine of one server's health check, exactly as HAProxy's check.c
 * (set_server_check_status + check_notify_failure/success + srv_getinter):
 *
 *   health runs from 0 to rise+fall-1; the server is healthy from `rise` up.
 *   A failure decrements it, and once it drops below `rise` it falls straight to 0 (DOWN):
 *     a fully healthy server goes DOWN after `fall` consecutive failures.
 *   A success increments it, and once it reaches `rise` it jumps to rise+fall-1 (UP):
 *     a DOWN server comes UP after `rise` consecutive successes.
 *   A server with `check` starts UP with health = rise ("up, but will fall down at first
 *   failure"); a `disabled` server starts at 0.
 */
import type { ServerCheckModel } from '../config/model.ts';

/** What a check result means for the server's operational state. */
export type HealthTransition = 'none' | 'up' | 'down';

export class HealthCounter {
  readonly rise: number;
  readonly fall: number;
  health: number;

  constructor(rise: number, fall: number, startsUp: boolean) {
    if (!Number.isInteger(rise) || rise < 1) throw new RangeError(`health check 'rise' must be an integer >= 1 (got ${rise})`);
    if (!Number.isInteger(fall) || fall < 1) throw new RangeError(`health check 'fall' must be an integer >= 1 (got ${fall})`);
    this.rise = rise;
    this.fall = fall;
    this.health = startsUp ? rise : 0;
  }

  /** Highest value: fully healthy, checks run at `inter`. */
  get max(): number {
    return this.rise + this.fall - 1;
  }

  /** The checks consider the server healthy. */
  get healthy(): boolean {
    return this.health >= this.rise;
  }

  /**
   * Records one check result and says which state change it calls for, given whether the
   * server is currently in rotation (`serverUp`). HAProxy only acts on the edges: a failure
   * that leaves health at 0 stops a running server; a success that makes it healthy starts a
   * stopped one. Repeated results in a stable state change nothing.
   */
  record(passed: boolean, serverUp: boolean): HealthTransition {
    if (passed) {
      if (this.health < this.max) {
        this.health++;
        if (this.health >= this.rise) this.health = this.max;
      }
      return !serverUp && this.healthy ? 'up' : 'none';
    }
    if (this.health > 0) {
      this.health--;
      if (this.health < this.rise) this.health = 0;
    }
    return serverUp && this.health === 0 ? 'down' : 'none';
  }

  /**
   * Delay until the next check (HAProxy's srv_getinter): `inter` when fully healthy,
   * `downinter` (default inter) when fully down, `fastinter` (default inter) in between —
   * including right after startup, when health = rise.
   */
  interval(check: Pick<ServerCheckModel, 'inter' | 'fastinter' | 'downinter'>, serverDown: boolean): number {
    if (this.health === this.max) return check.inter;
    if (serverDown && this.health === 0) return check.downinter ?? check.inter;
    return check.fastinter ?? check.inter;
  }

  /** "UP 1/3", "DOWN 1/2" style progress, as the stats page shows transitional states. */
  progress(): { readonly done: number; readonly of: number } {
    return this.healthy ? { done: this.health - this.rise + 1, of: this.fall } : { done: this.health, of: this.rise };
  }
}
