import type { Server } from '../proxy/server.ts';

/**
 * A binary min-heap of servers, indexed through `server.lbPos` (its slot in the heap, -1 when
 * absent) so a server can be removed or re-keyed in O(log n) without a search. Order:
 * `server.lbKey` ascending, then `server.currentWeight` ascending: the algorithms using it store
 * a tie-break stamp there (a counter bumped on each re-key, so equal keys rotate). No allocation
 * once the backing array has grown to the number of servers.
 */
export class ServerHeap {
  readonly #items: Server[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The smallest server, or undefined when empty. */
  peek(): Server | undefined {
    return this.#items[0];
  }

  has(server: Server): boolean {
    return server.lbPos >= 0;
  }

  push(server: Server): void {
    const items = this.#items;
    server.lbPos = items.length;
    items.push(server);
    this.#up(server.lbPos);
  }

  /** Removes `server` (no-op when absent). */
  remove(server: Server): void {
    const pos = server.lbPos;
    if (pos < 0) return;
    const items = this.#items;
    const last = items.pop()!;
    server.lbPos = -1;
    if (last === server) return;
    items[pos] = last;
    last.lbPos = pos;
    this.#down(pos);
    this.#up(last.lbPos);
  }

  /** Restores the order after `server`'s key changed (no-op when absent). */
  update(server: Server): void {
    if (server.lbPos < 0) return;
    this.#down(server.lbPos);
    this.#up(server.lbPos);
  }

  /** Empties the heap (every member gets lbPos -1). */
  clear(): void {
    for (const s of this.#items) s.lbPos = -1;
    this.#items.length = 0;
  }

  /** Restores the order after any number of keys changed (O(n): Floyd's heap construction). */
  reorder(): void {
    for (let pos = (this.#items.length >> 1) - 1; pos >= 0; pos--) this.#down(pos);
  }

  /** Calls fn for every server in the heap (heap order, not sorted). */
  forEach(fn: (server: Server) => void): void {
    for (const s of this.#items) fn(s);
  }

  #up(pos: number): void {
    const items = this.#items;
    const s = items[pos]!;
    while (pos > 0) {
      const parentPos = (pos - 1) >> 1;
      const parent = items[parentPos]!;
      if (!less(s, parent)) break;
      items[pos] = parent;
      parent.lbPos = pos;
      pos = parentPos;
    }
    items[pos] = s;
    s.lbPos = pos;
  }

  #down(pos: number): void {
    const items = this.#items;
    const n = items.length;
    const s = items[pos]!;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && less(items[right]!, items[child]!)) child = right;
      const c = items[child]!;
      if (!less(c, s)) break;
      items[pos] = c;
      c.lbPos = pos;
      pos = child;
    }
    items[pos] = s;
    s.lbPos = pos;
  }
}

function less(a: Server, b: Server): boolean {
  return a.lbKey < b.lbKey || (a.lbKey === b.lbKey && a.currentWeight < b.currentWeight);
}

/**
 * The heap's smallest server that can take a session now, skipping `avoid` when another can.
 * Servers found full on the way are removed from the heap ("parked", as HAProxy's fwrr/fwlc do
 * with saturated servers); the algorithm puts them back when they release a slot. O(log n)
 * per parked server, O(log n) when `avoid` is on top (removed and put back with its key).
 */
export function firstAvailable(heap: ServerHeap, avoid: Server | undefined): Server | undefined {
  const top = topWithSlot(heap);
  if (top === undefined || top !== avoid || heap.size === 1) return top;
  heap.remove(top);
  const other = topWithSlot(heap);
  heap.push(top);
  return other ?? top;
}

function topWithSlot(heap: ServerHeap): Server | undefined {
  for (;;) {
    const top = heap.peek();
    if (top === undefined || top.hasSlot) return top;
    heap.remove(top);
  }
}
