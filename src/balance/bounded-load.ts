import type { Server } from '../proxy/server.ts';
import { POINTS_PER_WEIGHT } from './consistent-ring.ts';

/**
 * `hash-balance-factor F` (F > 100): "consistent hashing with bounded loads" (Mirrokni, Thorup
 * and Zadimoghaddam), HAProxy's chash_server_is_eligible. A server may take a new session only
 * while it serves fewer than its share of F % of the backend's sessions (the new one included),
 * shares following the weights, with HAProxy's integer arithmetic: eweight = weight x 16, the
 * remainder of the division spread by cumulative weight in server order. The hash algorithms
 * walk the ring past servers at their bound (consistent-ring.ts), `balance random` draws again.
 *
 * `prepare()` is called once per pick: it sums the backend's sessions (HAProxy's p->served)
 * and the weights of the group in use (the active servers, or the backups when none is).
 */
export class BoundedLoad {
  readonly #factor: number;
  readonly #servers: readonly Server[];
  readonly #isMember: (server: Server) => boolean;
  /** Per server index: the sum of the eweights of the group's servers before it (HAProxy's cumulative_weight). */
  readonly #cumulative: Float64Array;
  #totalWeight = 0;
  #served = 0;

  constructor(factor: number, servers: readonly Server[], isMember: (server: Server) => boolean) {
    this.#factor = factor;
    this.#servers = servers;
    this.#isMember = isMember;
    this.#cumulative = new Float64Array(servers.length);
  }

  /** Reads the loads and weights for one pick. */
  prepare(): void {
    let served = 0;
    let total = 0;
    for (const s of this.#servers) {
      served += s.active;
      if (!this.#isMember(s)) continue;
      this.#cumulative[s.index] = total;
      total += s.weight * POINTS_PER_WEIGHT;
    }
    this.#served = served;
    this.#totalWeight = total;
  }

  /** Whether `server` is under its bound (always, when no group server has a weight). */
  eligible(server: Server): boolean {
    const total = this.#totalWeight;
    if (total === 0) return true;
    const slots = Math.floor(((this.#served + 1) * this.#factor + 99) / 100);
    const perWeight = Math.floor(slots / total);
    const remainder = slots % total;
    const eweight = server.weight * POINTS_PER_WEIGHT;
    const cumulative = this.#cumulative[server.index] ?? 0;
    let mine = eweight * perWeight;
    mine += Math.floor(((cumulative + eweight) * remainder) / total) - Math.floor((cumulative * remainder) / total);
    if (mine === 0) mine = 1;
    return server.active < mine;
  }
}
