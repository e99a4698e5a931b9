import type { Server } from '../proxy/server.ts';
import type { Balancer, BalancerOptions, LbRequest } from './balancer.ts';
import { Membership, type MembershipListener } from './membership.ts';
import { firstAvailable, ServerHeap } from './server-heap.ts';

/**
 * `balance leastconn`: the server with the fewest sessions relative to its weight, keyed like
 * HAProxy's fwlc by (active + 1) / weight, in an indexed min-heap: pick is O(1) (O(log n) when
 * it parks full servers or skips `avoid`), and each take/release re-keys one server in
 * O(log n). Among equal keys the server re-keyed longest ago wins, so idle equal servers
 * rotate instead of the first one taking everything.
 *
 * With several threads (`nbthread`) the sessions counted are the process's (Server.processActive),
 * read again at each pick, since the other threads' sessions change them.
 *
 * Server scratch fields: lbKey = (active + 1) / weight, lbPos = heap slot, currentWeight =
 * tie-break stamp.
 */
export class LeastConnBalancer implements Balancer, MembershipListener {
  readonly #heap = new ServerHeap();
  readonly #members: Membership;
  #stamp = 0;
  /** The servers' counts are the process's (Server.sharedActive): other threads change them. */
  readonly #shared: boolean;

  constructor(servers: readonly Server[], options: BalancerOptions) {
    this.#shared = servers.some((s) => s.sharedActive !== undefined);
    this.#members = new Membership(servers, options.allBackups, this);
    this.#members.start();
  }

  pick(_req: LbRequest, avoid: Server | undefined): Server | undefined {
    // With several threads the others' sessions moved the keys: they are read again first.
    if (this.#shared) {
      this.#heap.forEach((s) => {
        s.lbKey = (s.processActive + 1) / s.weight;
      });
      this.#heap.reorder();
    }
    return firstAvailable(this.#heap, avoid);
  }

  serverChanged(server: Server): void {
    this.#members.changed(server);
  }

  taken(server: Server): void {
    if (this.#members.isMember(server)) this.#requeue(server);
  }

  released(server: Server): void {
    if (this.#members.isMember(server)) this.#requeue(server);
  }

  join(server: Server): void {
    this.#requeue(server);
  }

  leave(server: Server): void {
    this.#heap.remove(server);
  }

  reweigh(server: Server): void {
    this.#requeue(server);
  }

  /** Re-keys `server` from its current load and puts it where it belongs (out of the heap when full). */
  #requeue(server: Server): void {
    server.lbKey = (server.processActive + 1) / server.weight;
    server.currentWeight = ++this.#stamp;
    if (!server.hasSlot) this.#heap.remove(server);
    else if (server.lbPos >= 0) this.#heap.update(server);
    else this.#heap.push(server);
  }
}
