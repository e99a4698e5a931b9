import type { HashTypeModel } from '../config/model.ts';
import type { Server } from '../proxy/server.ts';
import type { Balancer, BalancerOptions, LbRequest } from './balancer.ts';
import { BoundedLoad } from './bounded-load.ts';
import { ConsistentRing } from './consistent-ring.ts';
import { fullHash } from './hash-functions.ts';
import { Membership, type MembershipListener } from './membership.ts';
import { RoundRobinBalancer } from './roundrobin.ts';
import { StaticRoundRobinBalancer } from './static-rr.ts';
import { ServerMap } from './server-map.ts';

/** Where a hash algorithm's key comes from (source address, URI, a parameter, a header, a sample). */
export interface HashKey {
  /**
   * The request's key hashed to 32 bits as a signed int32 (see hash-functions.ts), or undefined
   * when the request has none.
   */
  hash(req: LbRequest): number | undefined;
}

/**
 * The hash algorithms (source, uri, url_param, hdr, hash EXPR) over `hash-type map-based` (the
 * key's hash modulo the total weight indexes HAProxy's weighted server map) or `consistent` (a
 * ring; see ConsistentRing). The key's server is returned even when it is full (the session
 * then waits in its queue); a request without a key is balanced round-robin.
 *
 * `avoid` (redispatch after a failed connection) is honoured by both: consistent hashing walks
 * to the next server on the ring as HAProxy does; map-based takes the next slot of another server
 * (HAProxy would return the same server again, which makes `option redispatch` useless there).
 */
export class HashBalancer implements Balancer, MembershipListener {
  readonly #key: HashKey;
  readonly #avalanche: boolean;
  readonly #members: Membership;
  readonly #map: ServerMap | undefined;
  readonly #ring: ConsistentRing | undefined;
  readonly #fallback: Balancer;
  readonly #isMember = (s: Server): boolean => this.#members.isMember(s);
  /** `hash-balance-factor` with `hash-type consistent` (HAProxy applies it to the ring only). */
  readonly #bounded: BoundedLoad | undefined;
  readonly #eligible: ((s: Server) => boolean) | undefined;
  #dirty = true;

  constructor(servers: readonly Server[], options: BalancerOptions, hashType: HashTypeModel, key: HashKey) {
    this.#key = key;
    this.#avalanche = hashType.avalanche;
    if (hashType.method === 'consistent') this.#ring = new ConsistentRing();
    else this.#map = new ServerMap();
    // With several threads, one rotation for the process (create-balancer.ts's roundrobin).
    this.#fallback = options.rotation === undefined ? new RoundRobinBalancer(servers, options) : new StaticRoundRobinBalancer(servers, options);
    this.#members = new Membership(servers, options.allBackups, this);
    this.#members.start();
    const factor = options.hashBalanceFactor;
    if (this.#ring !== undefined && factor !== undefined && factor > 0) {
      const bounded = new BoundedLoad(factor, servers, this.#isMember);
      this.#bounded = bounded;
      this.#eligible = (s) => bounded.eligible(s);
    }
  }

  pick(req: LbRequest, avoid: Server | undefined): Server | undefined {
    let hash = this.#key.hash(req);
    if (hash === undefined) return this.#fallback.pick(req, avoid);
    if (this.#avalanche) hash = fullHash(hash);
    if (this.#dirty) this.#rebuild();
    if (this.#ring !== undefined) {
      this.#bounded?.prepare();
      return this.#ring.lookup(hash, avoid, this.#eligible);
    }
    return this.#lookupMap(this.#map!, hash, avoid);
  }

  serverChanged(server: Server): void {
    this.#members.changed(server);
    this.#fallback.serverChanged(server);
  }

  taken(server: Server): void {
    this.#fallback.taken(server);
  }

  released(server: Server): void {
    this.#fallback.released(server);
  }

  join(): void {
    this.#dirty = true;
  }

  leave(): void {
    this.#dirty = true;
  }

  reweigh(server: Server, oldWeight: number): void {
    if (server.weight !== oldWeight) this.#dirty = true;
  }

  #lookupMap(map: ServerMap, hash: number, avoid: Server | undefined): Server | undefined {
    const n = map.size;
    if (n === 0) return undefined;
    let i = (hash >>> 0) % n;
    const s = map.at(i);
    if (s !== avoid || map.count < 2) return s;
    for (let steps = 0; steps < n; steps++) {
      if (++i === n) i = 0;
      const t = map.at(i);
      if (t !== avoid) return t;
    }
    return s;
  }

  #rebuild(): void {
    if (this.#ring !== undefined) this.#ring.rebuild(this.#members.servers, this.#isMember);
    else this.#map!.rebuild(this.#members.servers, this.#isMember);
    this.#dirty = false;
  }
}
