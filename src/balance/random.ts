import type { Server } from '../proxy/server.ts';
import type { Balancer, BalancerOptions, LbRequest } from './balancer.ts';
import { BoundedLoad } from './bounded-load.ts';
import { Membership, type MembershipListener } from './membership.ts';
import { WeightTree } from './weight-tree.ts';

/**
 * `balance random(N)`: power of N choices (HAProxy's get_server_rnd). Draws N servers at random,
 * each with probability proportional to its weight, and keeps the least loaded of them relative
 * to its weight (active / weight; on a tie the later draw, as HAProxy). N = 1 is plain weighted
 * random; HAProxy's default is 2. Draws come from a Fenwick tree over the servers with a free
 * slot: O(N log n) per pick, no allocation. Full servers have weight 0 in the tree until they
 * release a slot; `avoid` is zeroed for the duration of one pick when another server can serve.
 */
export class RandomBalancer implements Balancer, MembershipListener {
  readonly #servers: readonly Server[];
  readonly #members: Membership;
  readonly #tree: WeightTree;
  readonly #draws: number;
  readonly #random: () => number;
  /** `hash-balance-factor`: a server at its bound counts as full for the pick (HAProxy draws on its bounded ring). */
  readonly #bounded: BoundedLoad | undefined;
  /** Servers set aside during one pick for being at their bound, restored at its end (kept to avoid an array per pick). */
  readonly #atBound: Server[] = [];

  constructor(servers: readonly Server[], options: BalancerOptions, draws: number) {
    if (!Number.isInteger(draws) || draws < 1) throw new Error(`balance random(${draws}): the number of draws must be an integer >= 1`);
    this.#servers = servers;
    this.#draws = draws;
    this.#random = options.random;
    this.#tree = new WeightTree(servers.length);
    this.#members = new Membership(servers, options.allBackups, this);
    this.#members.start();
    const factor = options.hashBalanceFactor;
    this.#bounded = factor !== undefined && factor > 0 ? new BoundedLoad(factor, servers, (s) => this.#members.isMember(s)) : undefined;
  }

  pick(_req: LbRequest, avoid: Server | undefined): Server | undefined {
    const tree = this.#tree;
    let avoided = 0;
    if (avoid !== undefined) {
      const w = tree.get(avoid.index);
      if (w > 0 && tree.total - w > 0 && this.#servers[avoid.index] === avoid) {
        avoided = w;
        tree.set(avoid.index, 0);
      }
    }
    const bounded = this.#bounded;
    bounded?.prepare();
    let best: Server | undefined;
    // Terminates: a round either counts a draw or zeroes one more server found full (or at its bound).
    for (let draw = 0; draw < this.#draws && tree.total > 0; ) {
      const s = this.#servers[tree.find(this.#random() * tree.total)]!;
      if (!s.hasSlot) {
        tree.set(s.index, 0);
        continue;
      }
      if (bounded !== undefined && !bounded.eligible(s)) {
        this.#atBound.push(s);
        tree.set(s.index, 0);
        continue;
      }
      draw++;
      if (best === undefined || s.active * best.weight <= best.active * s.weight) best = s;
    }
    const atBound = this.#atBound;
    if (atBound.length > 0) {
      for (const s of atBound) tree.set(s.index, s.weight);
      // Every server with a slot at its bound (rounding can allow it): as HAProxy's walk, one anyway.
      best ??= atBound[atBound.length - 1];
      atBound.length = 0;
    }
    if (avoided > 0) tree.set(avoid!.index, avoided);
    return best;
  }

  serverChanged(server: Server): void {
    this.#members.changed(server);
  }

  taken(server: Server): void {
    if (!server.hasSlot) this.#tree.set(server.index, 0);
  }

  released(server: Server): void {
    if (server.hasSlot && this.#members.isMember(server)) this.#tree.set(server.index, server.weight);
  }

  join(server: Server): void {
    this.#tree.set(server.index, server.hasSlot ? server.weight : 0);
  }

  leave(server: Server): void {
    this.#tree.set(server.index, 0);
  }

  reweigh(server: Server): void {
    this.join(server);
  }
}
