/**
 * A stick table (HAProxy's `stick-table`): remembers which server a key (client address, cookie,
 * header...) was sent to, so later sessions with the same key go there too.
 *
 * Entries map a canonical key (see table-key.ts) to a server *name*: names, unlike Server
 * objects, mean the same thing in the next configuration generation, and a session resolves
 * them with `backend.server(name)`.
 *
 * - `size`: at most that many entries; storing a new key in a full table evicts the least
 *   recently used entry (HAProxy trashes the oldest), or with `nopurge` is refused.
 * - `expire`: an entry not used (matched or stored) for that long is gone. Expiry is lazy:
 *   an expired entry is dropped when it is looked up, and every operation also drops expired
 *   entries from the old end of the recency order. Entries are kept in a Map in recency order
 *   (a use moves an entry to the end), so the oldest are always first and that sweep stops at
 *   the first live one: no purge timer exists, so nothing outlives its Proxy.
 */
import type { StickTableModel } from '../config/model.ts';
import { stickKey } from './table-key.ts';

interface StickEntry {
  server: string;
  /** Runtime-clock ms of the last match or store. */
  used: number;
}

export class StickTable {
  /** The proxy that declared the table (`stick ... table NAME` refers to it). */
  readonly name: string;
  readonly type: StickTableModel['type'];
  readonly keyLength: number;
  readonly size: number;
  /** ms; undefined = entries never expire. */
  readonly expire: number | undefined;
  readonly nopurge: boolean;
  readonly #entries = new Map<string, StickEntry>();

  constructor(name: string, model: StickTableModel) {
    this.name = name;
    this.type = model.type;
    this.keyLength = model.keyLength;
    this.size = model.size;
    this.expire = model.expire;
    this.nopurge = model.nopurge;
  }

  /** The table's key for a sample, or undefined when the sample cannot be a key of this type. */
  keyOf(sample: string): string | undefined {
    return stickKey(this.type, this.keyLength, sample);
  }

  /** Live entries (expired ones not yet swept may be counted until the next operation). */
  get entries(): number {
    return this.#entries.size;
  }

  /** The server name stored for `key`, refreshing the entry; undefined when absent or expired. */
  lookup(key: string, now: number): string | undefined {
    this.#sweep(now);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#touch(key, entry, now);
    return entry.server;
  }

  /** The server name for `key` without refreshing it (for inspection and tests). */
  peek(key: string, now: number): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || this.#expired(entry, now)) return undefined;
    return entry.server;
  }

  /**
   * Records `key` -> `server`. Returns false when the table is full and `nopurge` forbids
   * evicting (HAProxy then creates no entry).
   */
  store(key: string, server: string, now: number): boolean {
    this.#sweep(now);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.server = server;
      this.#touch(key, entry, now);
      return true;
    }
    if (this.#entries.size >= this.size) {
      if (this.nopurge || this.size <= 0) return false;
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { server, used: now });
    return true;
  }

  /** Removes one entry (admin `clear table ... key`); true when it existed. */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  #touch(key: string, entry: StickEntry, now: number): void {
    entry.used = now;
    // Re-inserting moves the entry to the end: the Map stays in least-recently-used order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  #expired(entry: StickEntry, now: number): boolean {
    return this.expire !== undefined && now - entry.used >= this.expire;
  }

  /** Drops expired entries from the old end; stops at the first live one. */
  #sweep(now: number): void {
    if (this.expire === undefined) return;
    for (const [key, entry] of this.#entries) {
      if (!this.#expired(entry, now)) return;
      this.#entries.delete(key);
    }
  }
}
