import type { Server } from '../proxy/server.ts';
import { eligibleServers, type Balancer, type BalancerOptions, type LbRequest } from './balancer.ts';

/**
 * `balance static-rr`: weighted round-robin over a schedule fixed when the server set changes
 * (HAProxy's map-based rr: weight changes need a refresh, no per-pick arithmetic).
 */
export class StaticRoundRobinBalancer implements Balancer {
  readonly #servers: readonly Server[];
  #schedule: Server[] = [];
  #next = 0;

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
    // Interleave by smooth weighted round-robin once, so the schedule is evenly spread.
    const eligible = eligibleServers(this.#servers, this.#allBackups);
    const total = eligible.reduce((sum, s) => sum + s.weight, 0);
    const score = new Map<Server, number>();
    const schedule: Server[] = [];
    for (let n = 0; n < total; n++) {
      let best: Server | undefined;
      for (const s of eligible) {
        const v = (score.get(s) ?? 0) + s.weight;
        score.set(s, v);
        if (best === undefined || v > (score.get(best) ?? 0)) best = s;
      }
      if (best === undefined) break;
      score.set(best, (score.get(best) ?? 0) - total);
      schedule.push(best);
    }
    this.#schedule = schedule;
    this.#next = 0;
  }

  pick(_req: LbRequest, avoid: Server | undefined): Server | undefined {
    const schedule = this.#schedule;
    const n = schedule.length;
    for (let tries = 0; tries < n; tries++) {
      const s = schedule[this.#next] as Server;
      this.#next = (this.#next + 1) % n;
      if (s.available && (s !== avoid || n === 1)) return s;
    }
    return undefined;
  }
}
