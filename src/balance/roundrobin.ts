import type { Server } from '../proxy/server.ts';
import type { Balancer, BalancerOptions, LbRequest } from './balancer.ts';
import { Membership, type MembershipListener } from './membership.ts';
import { firstAvailable, ServerHeap } from './server-heap.ts';

/** Virtual time one pick of a weight-1 server costs; a weight-w server's turn costs STRIDE/w. */
const STRIDE = 1 << 24;
/** Keys are shifted back to 0 past this, long before doubles lose integer precision (2^53). */
const RENORMALIZE_AT = 2 ** 50;

function stride(weight: number): number {
  return Math.floor(STRIDE / weight);
}

/**
 * `balance roundrobin`: weighted round-robin by stride scheduling (the idea behind HAProxy's
 * fwrr), O(log n) per pick. Each eligible server waits in a min-heap keyed by the virtual time
 * of its next turn; a pick takes the earliest, advances the clock to it and reschedules the
 * server STRIDE/weight later. Over any window each server gets turns in proportion to its
 * weight, spread evenly rather than in bursts; ties go to the server rescheduled longest ago,
 * so equal weights rotate in declaration order.
 *
 * Dynamic: a weight change rescales the server's remaining wait at once; a server that joins
 * (comes UP, leaves MAINT) starts half a stride after the current virtual time, so it neither
 * bursts to "catch up" nor waits a full round. Full servers are parked out of the heap and come
 * back (no earlier than the current virtual time) when they release a slot.
 *
 * Server scratch fields: lbKey = virtual time of the next turn, lbPos = heap slot,
 * currentWeight = tie-break stamp.
 */
export class RoundRobinBalancer implements Balancer, MembershipListener {
  readonly #heap = new ServerHeap();
  readonly #members: Membership;
  /** Virtual time of the last pick. */
  #now = 0;
  #stamp = 0;

  constructor(servers: readonly Server[], options: BalancerOptions) {
    this.#members = new Membership(servers, options.allBackups, this);
    this.#members.start();
  }

  pick(_req: LbRequest, avoid: Server | undefined): Server | undefined {
    const s = firstAvailable(this.#heap, avoid);
    if (s === undefined) return undefined;
    this.#now = s.lbKey;
    s.lbKey += stride(s.weight);
    s.currentWeight = ++this.#stamp;
    this.#heap.update(s);
    if (this.#now > RENORMALIZE_AT) this.#renormalize();
    return s;
  }

  serverChanged(server: Server): void {
    this.#members.changed(server);
  }

  taken(server: Server): void {
    if (server.lbPos >= 0 && !server.hasSlot) this.#heap.remove(server);
  }

  released(server: Server): void {
    if (server.lbPos < 0 && server.hasSlot && this.#members.isMember(server)) {
      if (server.lbKey < this.#now) server.lbKey = this.#now;
      this.#heap.push(server);
    }
  }

  join(server: Server): void {
    server.lbKey = this.#now + Math.floor(stride(server.weight) / 2);
    server.currentWeight = ++this.#stamp;
    if (server.hasSlot) this.#heap.push(server);
  }

  leave(server: Server): void {
    this.#heap.remove(server);
  }

  reweigh(server: Server, oldWeight: number): void {
    // Keep the fraction of the wait already served: the rest scales with the new stride.
    const remaining = Math.max(0, server.lbKey - this.#now);
    server.lbKey = this.#now + Math.floor((remaining * oldWeight) / server.weight);
    if (server.lbPos >= 0) {
      if (server.hasSlot) this.#heap.update(server);
      else this.#heap.remove(server);
    } else if (server.hasSlot) {
      this.#heap.push(server);
    }
  }

  /** Shifts every key back by the current virtual time (order unchanged). Runs once per ~2^26 picks. */
  #renormalize(): void {
    const base = this.#now;
    for (const s of this.#members.servers) if (this.#members.isMember(s)) s.lbKey = Math.max(0, s.lbKey - base);
    this.#now = 0;
  }
}
