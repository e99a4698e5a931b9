import type { Server } from '../proxy/server.ts';
import type { Balancer, BalancerOptions, LbRequest } from './balancer.ts';
import { Membership, type MembershipListener } from './membership.ts';
import { firstAvailable, ServerHeap } from './server-heap.ts';

/**
 * `balance first`: the first eligible server (HAProxy's lowest id: declaration order without `id`) with a
 * free slot, so the others can be powered down while the first ones are not saturated. Only
 * servers with a free slot wait in a min-heap keyed by id (HAProxy's puid): a full server leaves it when it
 * takes its last slot and returns when it releases one, so a pick is O(1) however many leading
 * servers are full (O(log n) when it skips `avoid`).
 *
 * Server scratch fields: lbKey = id, lbPos = heap slot.
 */
export class FirstBalancer implements Balancer, MembershipListener {
  readonly #heap = new ServerHeap();
  readonly #members: Membership;

  constructor(servers: readonly Server[], options: BalancerOptions) {
    this.#members = new Membership(servers, options.allBackups, this);
    this.#members.start();
  }

  pick(_req: LbRequest, avoid: Server | undefined): Server | undefined {
    return firstAvailable(this.#heap, avoid);
  }

  serverChanged(server: Server): void {
    this.#members.changed(server);
  }

  taken(server: Server): void {
    if (!server.hasSlot) this.#heap.remove(server);
  }

  released(server: Server): void {
    if (server.lbPos < 0 && server.hasSlot && this.#members.isMember(server)) this.#heap.push(server);
  }

  join(server: Server): void {
    server.lbKey = server.id;
    server.currentWeight = 0;
    if (server.hasSlot) this.#heap.push(server);
  }

  leave(server: Server): void {
    this.#heap.remove(server);
  }

  reweigh(server: Server): void {
    // Weight does not matter to `first`; maxconn (slowstart) may have changed.
    if (server.hasSlot) {
      if (server.lbPos < 0) this.#heap.push(server);
    } else {
      this.#heap.remove(server);
    }
  }
}
