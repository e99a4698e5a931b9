/**
 * HPACK's dynamic table (RFC 7541 §2.3.2, §4): a FIFO of (name, value) entries, newest first,
 * each costing name + value + 32 octets against the table's size. Kept as a ring of two string
 * arrays that grows by doubling, so adding an entry allocates nothing once warm.
 */
export const ENTRY_OVERHEAD = 32;

export class DynamicTable {
  #names: string[] = new Array<string>(16);
  #values: string[] = new Array<string>(16);
  /** Ring slot of the oldest entry. */
  #tail = 0;
  #count = 0;
  /** Sum of entry sizes. */
  size = 0;
  /** The current maximum size (changed by a size update). */
  maxSize: number;

  constructor(maxSize: number) {
    this.maxSize = maxSize;
  }

  get length(): number {
    return this.#count;
  }

  /** Name of the entry at dynamic index i (0 = newest). */
  name(i: number): string {
    return this.#names[this.#slot(i)]!;
  }

  value(i: number): string {
    return this.#values[this.#slot(i)]!;
  }

  #slot(i: number): number {
    return (this.#tail + this.#count - 1 - i) & (this.#names.length - 1);
  }

  /** Adds an entry, evicting the oldest as needed; an entry larger than the table empties it (§4.4). */
  add(name: string, value: string): void {
    const cost = name.length + value.length + ENTRY_OVERHEAD;
    if (cost > this.maxSize) {
      this.#clear();
      return;
    }
    this.#evictTo(this.maxSize - cost);
    if (this.#count === this.#names.length) this.#grow();
    const slot = (this.#tail + this.#count) & (this.#names.length - 1);
    this.#names[slot] = name;
    this.#values[slot] = value;
    this.#count++;
    this.size += cost;
  }

  /** A new maximum size (§4.3): entries are evicted until the table fits. */
  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.#evictTo(maxSize);
  }

  /** The dynamic index (0 = newest) of an exact (name, value) entry, or -1. */
  findPair(name: string, value: string): number {
    for (let i = 0; i < this.#count; i++) {
      const slot = this.#slot(i);
      if (this.#names[slot] === name && this.#values[slot] === value) return i;
    }
    return -1;
  }

  /** The dynamic index of the newest entry with this name, or -1. */
  findName(name: string): number {
    for (let i = 0; i < this.#count; i++) if (this.#names[this.#slot(i)] === name) return i;
    return -1;
  }

  #evictTo(limit: number): void {
    const mask = this.#names.length - 1;
    while (this.size > limit && this.#count > 0) {
      const slot = this.#tail;
      this.size -= this.#names[slot]!.length + this.#values[slot]!.length + ENTRY_OVERHEAD;
      this.#names[slot] = '';
      this.#values[slot] = '';
      this.#tail = (slot + 1) & mask;
      this.#count--;
    }
  }

  #clear(): void {
    this.#evictTo(-1);
    this.size = 0;
  }

  #grow(): void {
    const n = this.#names.length;
    const names = new Array<string>(n * 2);
    const values = new Array<string>(n * 2);
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#tail + i) & (n - 1);
      names[i] = this.#names[slot]!;
      values[i] = this.#values[slot]!;
    }
    this.#names = names;
    this.#values = values;
    this.#tail = 0;
  }
}
