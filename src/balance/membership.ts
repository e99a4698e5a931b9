import type { Server } from '../proxy/server.ts';

/** What an algorithm does when a server enters or leaves the eligible set, or changes inside it. */
export interface MembershipListener {
  /** `server` became eligible (it is usable; it may still be full). */
  join(server: Server): void;
  /** `server` stopped being eligible. */
  leave(server: Server): void;
  /** `server` stays eligible but its effective weight (was `oldWeight`) or maxconn changed. */
  reweigh(server: Server, oldWeight: number): void;
}

/**
 * Tracks which servers are eligible for new traffic under HAProxy's rules (see isEligible in
 * balancer.ts) and tells a listener about each change, so algorithms update their structures
 * per server instead of rebuilding: a status or weight change of an active server while others
 * are up costs O(1) here. Only a switch between the active and the backup regime (the last
 * active server leaving, the first one coming back, or a backup changing while backups serve)
 * re-examines every server, O(n).
 *
 * Requires `servers[i].index === i` (Backend guarantees it; createBalancer checks it).
 */
export class Membership {
  readonly servers: readonly Server[];
  readonly #allBackups: boolean;
  readonly #listener: MembershipListener;
  /** 1 when servers[i] is eligible. */
  readonly #member: Uint8Array;
  /** 1 when servers[i] was usable at the last look (to count usable actives incrementally). */
  readonly #usable: Uint8Array;
  /** Effective weight of each member as last seen (reweigh's oldWeight). */
  readonly #weight: Float64Array;
  #activeUsable = 0;

  constructor(servers: readonly Server[], allBackups: boolean, listener: MembershipListener) {
    this.servers = servers;
    this.#allBackups = allBackups;
    this.#listener = listener;
    this.#member = new Uint8Array(servers.length);
    this.#usable = new Uint8Array(servers.length);
    this.#weight = new Float64Array(servers.length);
  }

  /** Computes the initial eligible set, calling join() for each member in declaration order. */
  start(): void {
    for (const s of this.servers) {
      const usable = s.usable;
      this.#usable[s.index] = usable ? 1 : 0;
      if (usable && !s.backup) this.#activeUsable++;
    }
    this.#resync(undefined);
  }

  isMember(server: Server): boolean {
    return this.#member[server.index] === 1;
  }

  /** `server`'s status, weight or maxconn changed: apply the consequences on the eligible set. */
  changed(server: Server): void {
    const i = server.index;
    const wasUsable = this.#usable[i] === 1;
    const usable = server.usable;
    this.#usable[i] = usable ? 1 : 0;
    if (server.backup) {
      // Backups only matter while no active server is usable.
      if (this.#activeUsable === 0) this.#resync(server);
      return;
    }
    if (wasUsable !== usable) {
      this.#activeUsable += usable ? 1 : -1;
      // The regime switches between actives and backups: every membership may change.
      if (this.#activeUsable === 0 || (usable && this.#activeUsable === 1)) {
        this.#resync(server);
        return;
      }
      if (usable) this.#join(server);
      else this.#leave(server);
    } else if (usable) {
      this.#reweigh(server);
    }
  }

  /** Recomputes every membership; `changed` (if any) gets reweigh() when it stays a member. */
  #resync(changed: Server | undefined): void {
    const servers = this.servers;
    const activesServe = this.#activeUsable > 0;
    let firstBackupSeen = false;
    // Leaves first, so a listener never holds more servers than the final set.
    const next = new Uint8Array(servers.length);
    for (const s of servers) {
      let eligible = false;
      if (this.#usable[s.index] === 1) {
        if (!s.backup) eligible = activesServe;
        else if (!activesServe && (this.#allBackups || !firstBackupSeen)) eligible = true;
        if (s.backup && !activesServe) firstBackupSeen = true;
      }
      next[s.index] = eligible ? 1 : 0;
      if (!eligible && this.#member[s.index] === 1) this.#leave(s);
    }
    for (const s of servers) {
      if (next[s.index] === 1) {
        if (this.#member[s.index] === 0) this.#join(s);
        else if (s === changed) this.#reweigh(s);
      }
    }
  }

  #join(s: Server): void {
    this.#member[s.index] = 1;
    this.#weight[s.index] = s.weight;
    this.#listener.join(s);
  }

  #leave(s: Server): void {
    this.#member[s.index] = 0;
    this.#weight[s.index] = 0;
    this.#listener.leave(s);
  }

  #reweigh(s: Server): void {
    const old = this.#weight[s.index]!;
    this.#weight[s.index] = s.weight;
    this.#listener.reweigh(s, old);
  }
}

/** Checks the Membership precondition: servers[i].index === i. */
export function assertIndexed(servers: readonly Server[]): void {
  for (let i = 0; i < servers.length; i++) {
    if (servers[i]!.index !== i) {
      throw new Error(`balancer: server '${servers[i]!.name}' has index ${servers[i]!.index}, expected ${i} (servers[i].index must equal i)`);
    }
  }
}
