import type { Server } from '../proxy/server.ts';
import { eligibleServers, type Balancer, type BalancerOptions, type LbRequest } from './balancer.ts';

/**
 * `balance roundrobin`: smooth weighted round-robin (each pick adds every server's weight to its
 * running score and takes the highest, which then pays back the total). Spreads a server's
 * turns evenly instead of in bursts, like HAProxy's fwrr, and honours weight changes at once.
 */
export class RoundRobinBalancer implements Balancer {
  readonly #servers: readonly Server[];
  #eligible: Server[] = [];

  readonly #allBackups: boolean;

  constructor(servers: readonly Server[], options: BalancerOptions) {
    this.#servers = servers;
    this.#allBackups = options.allBackups;
    this.refresh();
  }

  serverChanged(): void {
    this.refresh();
  }

  taken(): void {}

  released(): void {}

  refresh(): void {
    this.#eligible = eligibleServers(this.#servers, this.#allBackups);
    for (const s of this.#servers) s.currentWeight = 0;
  }

  pick(_req: LbRequest, avoid: Server | undefined): Server | undefined {
    const eligible = this.#eligible;
    let best: Server | undefined;
    let total = 0;
    for (let i = 0; i < eligible.length; i++) {
      const s = eligible[i] as Server;
      if (!s.available || (s === avoid && eligible.length > 1)) continue;
      s.currentWeight += s.weight;
      total += s.weight;
      if (best === undefined || s.currentWeight > best.currentWeight) best = s;
    }
    if (best !== undefined) best.currentWeight -= total;
    return best;
  }
}
