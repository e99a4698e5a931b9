import type { Server } from '../proxy/server.ts';
import { fullHash } from './hash-functions.ts';

/** Ring points per unit of weight (HAProxy's BE_WEIGHT_SCALE). */
export const POINTS_PER_WEIGHT = 16;
/** Point numbers reserved per server: 256 weight units x 16 (HAProxy's SRV_EWGHT_RANGE). */
const POINT_RANGE = 256 * POINTS_PER_WEIGHT;
const MAX_SERVERS = 65536;

/**
 * `hash-type consistent`: HAProxy's lb_chash ring. A server of weight w owns w x 16 points at
 * full_hash(id x 4096 + k), k = 0..16w-1, with id its puid (its `id`, or by default its 1-based
 * position): the points depend only on the server and its weight, so when a server leaves only the
 * keys it owned move (to their next neighbour), about 1/N of them, and when it comes back they
 * return. A key goes to the server of the closest point (before or after it, as HAProxy).
 *
 * Points live in two parallel typed arrays sorted by position; lookups are a binary search,
 * O(log P). The ring is rebuilt (O(P log P), P = 16 x total weight) on the next lookup after a
 * server joins, leaves or changes weight.
 */
export class ConsistentRing {
  #keys = new Uint32Array(0);
  /** servers[] index owning each point. */
  #owners = new Uint16Array(0);
  #servers: readonly Server[] = [];
  /** Distinct servers on the ring. */
  count = 0;

  get size(): number {
    return this.#keys.length;
  }

  rebuild(servers: readonly Server[], include: (server: Server) => boolean): void {
    if (servers.length > MAX_SERVERS) throw new Error(`hash-type consistent supports at most ${MAX_SERVERS} servers per backend`);
    this.#servers = servers;
    let total = 0;
    let count = 0;
    for (const s of servers) {
      if (include(s)) {
        total += s.weight * POINTS_PER_WEIGHT;
        count++;
      }
    }
    // Sort position and owner together as one exact double: position x 2^16 + owner < 2^48.
    const packed = new Float64Array(total);
    let n = 0;
    for (const s of servers) {
      if (!include(s)) continue;
      // HAProxy's chash_init_server_tree: full_hash(puid * SRV_EWGHT_RANGE + node), in 32 bits.
      const base = s.id * POINT_RANGE;
      const points = s.weight * POINTS_PER_WEIGHT;
      for (let k = 0; k < points; k++) packed[n++] = (fullHash(base + k) >>> 0) * MAX_SERVERS + s.index;
    }
    packed.sort();
    const keys = new Uint32Array(total);
    const owners = new Uint16Array(total);
    for (let i = 0; i < total; i++) {
      const p = packed[i]!;
      const owner = p % MAX_SERVERS;
      owners[i] = owner;
      keys[i] = (p - owner) / MAX_SERVERS;
    }
    this.#keys = keys;
    this.#owners = owners;
    this.count = count;
  }

  /**
   * The server owning `key` (32 bits, signed or not), or undefined when the ring is empty. When
   * that is `avoid` (and another server is on the ring), or `eligible` refuses it
   * (hash-balance-factor), the next point clockwise of a server that is neither, as HAProxy's
   * chash_get_server_hash; after a whole turn without one, the server where the walk stopped.
   */
  lookup(key: number, avoid: Server | undefined, eligible?: (server: Server) => boolean): Server | undefined {
    const hash = key >>> 0;
    const keys = this.#keys;
    const n = keys.length;
    if (n === 0) return undefined;
    // First point >= hash, wrapping to 0.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    let next = lo === n ? 0 : lo;
    const prev = next === 0 ? n - 1 : next - 1;
    const servers = this.#servers;
    const owners = this.#owners;
    let s = servers[owners[next]!]!;
    const ps = servers[owners[prev]!]!;
    if (ps !== s && ((hash - keys[prev]!) >>> 0) <= ((keys[next]! - hash) >>> 0)) {
      s = ps;
      next = prev;
    }
    if (eligible === undefined) {
      if (s !== avoid || this.count < 2) return s;
      for (let steps = 0; steps < n; steps++) {
        if (++next === n) next = 0;
        const t = servers[owners[next]!]!;
        if (t !== avoid) return t;
      }
      return s;
    }
    for (let steps = 0; steps < n && (s === avoid || !eligible(s)); steps++) {
      if (++next === n) next = 0;
      s = servers[owners[next]!]!;
    }
    return s;
  }
}
