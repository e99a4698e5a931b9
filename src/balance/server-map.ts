import type { Server } from '../proxy/server.ts';

/**
 * HAProxy's lb_map: a table with one slot per unit of weight of the eligible servers, each
 * server's slots spread evenly across it (slot k of a weight-w server sits at (k + 1/2) / w of
 * the table; ties by declaration order), so walking it in order is a smooth weighted
 * round-robin and indexing it by `hash % totalWeight` is map-based hashing. Rebuilt in
 * O(W log W) (W = total weight) when the eligible set or a weight changes.
 */
export class ServerMap {
  /** servers[] indexes, one slot per unit of weight. */
  #slots = new Int32Array(0);
  #servers: readonly Server[] = [];
  /** Distinct servers in the map. */
  count = 0;

  get size(): number {
    return this.#slots.length;
  }

  /** The server in slot `i` (0 <= i < size). */
  at(i: number): Server {
    return this.#servers[this.#slots[i]!]!;
  }

  /** Rebuilds from the servers `include` accepts, each with its current weight. */
  rebuild(servers: readonly Server[], include: (server: Server) => boolean): void {
    this.#servers = servers;
    let total = 0;
    let count = 0;
    for (const s of servers) {
      if (include(s)) {
        total += s.weight;
        count++;
      }
    }
    const position = new Float64Array(total);
    const owner = new Int32Array(total);
    let n = 0;
    for (const s of servers) {
      if (!include(s)) continue;
      for (let k = 0; k < s.weight; k++) {
        position[n] = (k + 0.5) / s.weight;
        owner[n++] = s.index;
      }
    }
    const order = new Int32Array(total);
    for (let i = 0; i < total; i++) order[i] = i;
    order.sort((a, b) => position[a]! - position[b]! || owner[a]! - owner[b]!);
    const slots = new Int32Array(total);
    for (let i = 0; i < total; i++) slots[i] = owner[order[i]!]!;
    this.#slots = slots;
    this.count = count;
  }
}
