import type { Server } from '../proxy/server.ts';
import type { Balancer, BalancerOptions, LbRequest, SharedRotation } from './balancer.ts';
import { Membership, type MembershipListener } from './membership.ts';
import { ServerMap } from './server-map.ts';

/**
 * `balance static-rr`: weighted round-robin over a precomputed schedule (HAProxy's map-based rr):
 * O(1) per pick, no arithmetic, and no limit on the number of servers; the schedule is rebuilt
 * (O(total weight)) on the next pick after a server joins, leaves or changes weight. Full
 * servers and `avoid` are skipped by walking on (at most one round).
 *
 * With several threads (`nbthread`) the position is shared (BalancerOptions.rotation), so that
 * the threads walk one schedule together; `balance roundrobin` is served by this balancer then
 * too (create-balancer.ts): weights, runtime `set weight`, slowstart steps and servers leaving
 * or joining rebuild the schedule, which keeps roundrobin's dynamic behaviour.
 */
export class StaticRoundRobinBalancer implements Balancer, MembershipListener {
  readonly #map = new ServerMap();
  readonly #members: Membership;
  readonly #isMember = (s: Server): boolean => this.#members.isMember(s);
  #dirty = true;
  #next = 0;
  readonly #rotation: SharedRotation | undefined;

  constructor(servers: readonly Server[], options: BalancerOptions) {
    this.#rotation = options.rotation;
    this.#members = new Membership(servers, options.allBackups, this);
    this.#members.start();
  }

  pick(_req: LbRequest, avoid: Server | undefined): Server | undefined {
    if (this.#dirty) this.#rebuild();
    const map = this.#map;
    const n = map.size;
    let avoided: Server | undefined;
    const rotation = this.#rotation;
    for (let tries = 0; tries < n; tries++) {
      let s: Server;
      if (rotation === undefined) {
        s = map.at(this.#next);
        if (++this.#next === n) this.#next = 0;
      } else {
        s = map.at((Atomics.add(rotation.counts, rotation.slot, 1) >>> 0) % n);
      }
      if (!s.hasSlot) continue;
      if (s !== avoid) return s;
      avoided = s;
    }
    return avoided;
  }

  serverChanged(server: Server): void {
    this.#members.changed(server);
  }

  taken(): void {}

  released(): void {}

  join(): void {
    this.#dirty = true;
  }

  leave(): void {
    this.#dirty = true;
  }

  reweigh(server: Server, oldWeight: number): void {
    if (server.weight !== oldWeight) this.#dirty = true;
  }

  #rebuild(): void {
    this.#map.rebuild(this.#members.servers, this.#isMember);
    this.#dirty = false;
    if (this.#next >= this.#map.size) this.#next = 0;
  }
}
