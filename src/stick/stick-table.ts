/**
 * A stick table (HAProxy's `stick-table`, stick_table.c): entries by key (client address,
 * cookie, header...) holding what the table stores — the server a key was sent to (`stick on`,
 * `stick store-request`: persistence) and counters (`store gpc0,http_req_rate(10s)...`: rate
 * limiting, abuse flags), one store for both.
 *
 * Persistence keeps a server *name*: names, unlike Server objects, mean the same thing in the
 * next configuration generation, and a session resolves them with `backend.server(name)`.
 * Counters sit in one Float64Array per entry laid out by the table (stick-data.ts): updating
 * them allocates nothing.
 *
 * - `size`: at most that many entries; creating one in a full table first trashes a batch of
 *   the least recently touched entries not tracked by a session ((size >> 8) + 1, as
 *   HAProxy's stktable_trash_oldest), or with `nopurge` (or all tracked) is refused.
 * - `expire`: an entry not touched (stored, matched, counted) for that long is gone — unless a
 *   session tracks it (`refs` > 0, HAProxy's ref_cnt), then it lives until released. Expiry is
 *   lazy: an expired entry is dropped when it is looked up, and every operation drops expired
 *   entries from the old end of the recency order. Entries are kept in a Map in touch order
 *   (a touch moves an entry to the end), so the oldest are always first and that sweep stops at
 *   the first live one: no purge timer exists, so nothing outlives its Proxy.
 */
import type { StickTableModel } from '../config/model.ts';
import { readFreqCtr, updateFreqCtr } from './freq-counter.ts';
import { StickDataLayout, type StickCountType, type StickRateType } from './stick-data.ts';
import { stickKey } from './table-key.ts';

/** One key's data. */
export class StickEntry {
  readonly key: string;
  /** `server_id`: the persistence target's name. */
  server: string | undefined = undefined;
  /** The stored counters, laid out by the table's StickDataLayout. */
  readonly data: Float64Array;
  /** Runtime-clock ms at which the entry expires (Infinity: never). */
  expire: number;
  /** Sessions tracking the entry (track-sc): it is neither evicted nor expired meanwhile. */
  refs = 0;
  constructor(key: string, data: Float64Array, expire: number) {
    this.key = key;
    this.data = data;
    this.expire = expire;
  }
}

/** Counter types whose event also feeds a rate (HAProxy updates both together). */
export type StickEvent = 'conn' | 'sess' | 'http_req' | 'http_err' | 'http_fail' | 'bytes_in' | 'bytes_out' | 'gpc0' | 'gpc1';

export class StickTable {
  /** The proxy that declared the table (`stick ... table NAME`, `track-sc0 ... table NAME`). */
  readonly name: string;
  readonly type: StickTableModel['type'];
  readonly keyLength: number;
  readonly size: number;
  /** ms; undefined = entries never expire. */
  readonly expire: number | undefined;
  readonly nopurge: boolean;
  readonly layout: StickDataLayout;
  readonly #entries = new Map<string, StickEntry>();
  /** Offsets of each event's counter and rate (-1 when not stored), resolved once. */
  readonly #eventCounts: Readonly<Record<StickEvent, number>>;
  readonly #eventRates: Readonly<Record<StickEvent, number>>;
  readonly #eventPeriods: Readonly<Record<StickEvent, number>>;

  constructor(name: string, model: StickTableModel) {
    this.name = name;
    this.type = model.type;
    this.keyLength = model.keyLength;
    this.size = model.size;
    this.expire = model.expire;
    this.nopurge = model.nopurge;
    this.layout = new StickDataLayout(model.store ?? []);
    const counts = {} as Record<StickEvent, number>;
    const rates = {} as Record<StickEvent, number>;
    const periods = {} as Record<StickEvent, number>;
    for (const event of ['conn', 'sess', 'http_req', 'http_err', 'http_fail', 'bytes_in', 'bytes_out', 'gpc0', 'gpc1'] as const) {
      const count: StickCountType = event === 'gpc0' || event === 'gpc1' ? event : `${event}_cnt`;
      const rate: StickRateType = `${event}_rate`;
      counts[event] = this.layout.offset(count);
      rates[event] = this.layout.offset(rate);
      periods[event] = this.layout.period(rate);
    }
    this.#eventCounts = counts;
    this.#eventRates = rates;
    this.#eventPeriods = periods;
  }

  /** The table's key for a sample, or undefined when the sample cannot be a key of this type. */
  keyOf(sample: string): string | undefined {
    return stickKey(this.type, this.keyLength, sample);
  }

  /** Entries (expired ones not yet swept may be counted until the next operation). */
  get entries(): number {
    return this.#entries.size;
  }

  // ---- persistence (server_id) ----

  /** The server name stored for `key`, refreshing the entry; undefined when absent or expired. */
  lookup(key: string, now: number): string | undefined {
    this.#sweep(now);
    const entry = this.#live(key, now);
    if (entry === undefined) return undefined;
    this.touch(entry, now);
    return entry.server;
  }

  /** The server name for `key` without refreshing it (for inspection and tests). */
  peek(key: string, now: number): string | undefined {
    return this.#live(key, now)?.server;
  }

  /**
   * Records `key` -> `server`. Returns false when the table is full and `nopurge` forbids
   * evicting (HAProxy then creates no entry).
   */
  store(key: string, server: string, now: number): boolean {
    const entry = this.getEntry(key, now);
    if (entry === undefined) return false;
    entry.server = server;
    this.touch(entry, now);
    return true;
  }

  // ---- entries ----

  /** The live entry of `key`, without touching it (HAProxy's stktable_lookup_key). */
  find(key: string, now: number): StickEntry | undefined {
    this.#sweep(now);
    return this.#live(key, now);
  }

  /**
   * The entry of `key`, created when absent (HAProxy's stktable_get_entry); undefined when the
   * table is full and nothing may be trashed. A new entry counts as touched now.
   */
  getEntry(key: string, now: number): StickEntry | undefined {
    this.#sweep(now);
    const found = this.#live(key, now);
    if (found !== undefined) return found;
    if (this.#entries.size >= this.size && !this.#trashOldest()) return undefined;
    const entry = new StickEntry(key, this.layout.newData(), this.#expireFrom(now));
    this.#entries.set(key, entry);
    return entry;
  }

  /** Refreshes an entry's expiry (HAProxy's stktable_touch_local): it becomes the most recent. */
  touch(entry: StickEntry, now: number): void {
    entry.expire = this.#expireFrom(now);
    // Re-inserting moves the entry to the end: the Map stays in touch (= expiry) order.
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
    this.#entries.set(entry.key, entry);
  }

  /** A tracker starts holding the entry. */
  acquire(entry: StickEntry): void {
    entry.refs++;
  }

  /** A tracker lets the entry go; an expired entry nobody tracks is dropped (stksess_kill_if_expired). */
  release(entry: StickEntry, now: number): void {
    if (entry.refs > 0) entry.refs--;
    if (entry.refs === 0 && now >= entry.expire && this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
  }

  /** Removes one entry (admin `clear table ... key`); true when it existed. */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Every live entry, oldest first (inspection, `show table`). */
  *list(now: number): IterableIterator<StickEntry> {
    for (const entry of this.#entries.values()) if (entry.refs > 0 || now < entry.expire) yield entry;
  }

  // ---- counters ----

  /** Counts `n` events on the entry: the event's counter and its rate, when stored. True when either is. */
  count(entry: StickEntry, event: StickEvent, n: number, now: number): boolean {
    const count = this.#eventCounts[event];
    const rate = this.#eventRates[event];
    if (count >= 0) entry.data[count] = (entry.data[count] as number) + n;
    if (rate >= 0) updateFreqCtr(entry.data, rate, this.#eventPeriods[event], Math.floor(now), n);
    return count >= 0 || rate >= 0;
  }

  /** A counter's value, or undefined when the table does not store it. */
  counter(entry: StickEntry, type: StickCountType): number | undefined {
    const at = this.layout.offset(type);
    return at < 0 ? undefined : (entry.data[at] as number);
  }

  /** Sets a counter (gpt0, conn_cur, clearing gpc0...); false when the table does not store it. */
  setCounter(entry: StickEntry, type: StickCountType, value: number): boolean {
    const at = this.layout.offset(type);
    if (at < 0) return false;
    entry.data[at] = value;
    return true;
  }

  /** A rate over its period at `now`, or undefined when the table does not store it. */
  rate(entry: StickEntry, type: StickRateType, now: number): number | undefined {
    const at = this.layout.offset(type);
    return at < 0 ? undefined : readFreqCtr(entry.data, at, this.layout.period(type), Math.floor(now));
  }

  #expireFrom(now: number): number {
    return this.expire === undefined ? Number.POSITIVE_INFINITY : now + this.expire;
  }

  /** The entry of `key` unless it expired untracked (then it is dropped). */
  #live(key: string, now: number): StickEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.refs === 0 && now >= entry.expire) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Trashes a batch of the oldest untracked entries; false when none could go (or nopurge). */
  #trashOldest(): boolean {
    if (this.nopurge || this.size <= 0) return false;
    let batch = (this.size >> 8) + 1;
    let freed = false;
    for (const [key, entry] of this.#entries) {
      if (entry.refs > 0) continue;
      this.#entries.delete(key);
      freed = true;
      if (--batch === 0) break;
    }
    return freed;
  }

  /**
   * Drops expired entries from the old end; stops at the first live one. A tracked expired
   * entry is requeued as if touched (it expires after its release at the earliest).
   */
  #sweep(now: number): void {
    if (this.expire === undefined) return;
    let requeued = 0;
    for (const [key, entry] of this.#entries) {
      if (now < entry.expire) return;
      if (entry.refs > 0) {
        // Each tracked entry is requeued once per sweep: stop when we meet one again.
        if (requeued++ >= this.#entries.size) return;
        this.touch(entry, now);
        continue;
      }
      this.#entries.delete(key);
    }
  }
}
