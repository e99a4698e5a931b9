/**
 * A Fenwick (binary indexed) tree of non-negative weights over slots 0..n-1: set a slot's weight
 * in O(log n), draw the slot a uniform point of [0, total) falls in in O(log n). Backs weighted
 * random draws without allocating.
 */
export class WeightTree {
  readonly #tree: Float64Array;
  readonly #value: Float64Array;
  /** Largest power of two <= n: the first step of the descent. */
  readonly #topBit: number;
  total = 0;

  constructor(size: number) {
    this.#tree = new Float64Array(size + 1);
    this.#value = new Float64Array(size);
    let bit = 1;
    while (bit * 2 <= size) bit *= 2;
    this.#topBit = size === 0 ? 0 : bit;
  }

  get(slot: number): number {
    return this.#value[slot]!;
  }

  set(slot: number, weight: number): void {
    const delta = weight - this.#value[slot]!;
    if (delta === 0) return;
    this.#value[slot] = weight;
    this.total += delta;
    const tree = this.#tree;
    for (let i = slot + 1; i < tree.length; i += i & -i) tree[i] = tree[i]! + delta;
  }

  /**
   * The slot whose cumulative range contains `point` (0 <= point < total): the smallest slot
   * with prefixSum(slot) > point. Slots of weight 0 are never returned.
   */
  find(point: number): number {
    const tree = this.#tree;
    const n = tree.length - 1;
    let pos = 0;
    let rest = point;
    for (let bit = this.#topBit; bit > 0; bit >>= 1) {
      const next = pos + bit;
      if (next <= n && tree[next]! <= rest) {
        pos = next;
        rest -= tree[next]!;
      }
    }
    // pos = how many leading slots sum to <= point, so slot pos holds the point; past the end
    // only if point >= total (float rounding): take the last slot with weight.
    if (pos >= n) {
      pos = n - 1;
      while (pos > 0 && this.#value[pos] === 0) pos--;
    }
    return pos;
  }
}
