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
 *   entries from the old end of the recency order. Entries are linked in touch order (a touch
 *   moves an entry to the end of an intrusive list: no allocation, unlike re-inserting into a
 *   Map), so the oldest are always first and that sweep stops at the first live one: no purge
 *   timer exists, so nothing outlives its Proxy.
 */
import type { StickTableModel } from '../config/model.ts';
import { readFreqCtr, updateFreqCtr } from './freq-counter.ts';
import { EXPIRE_SLOT, StickDataLayout, type StickCountType, type StickRateType } from './stick-data.ts';
import { stickKey } from './table-key.ts';

/** One key's data. */
export class StickEntry {
  readonly key: string;
  /** `server_id`: the persistence target's name. */
  server: string | undefined = undefined;
  /** Its HAProxy id (position in its backend from 1; `table_server_id`); 0 before one is stored. */
  serverId = 0;
  /** The stored counters, laid out by the table's StickDataLayout. */
  readonly data: Float64Array;
  /** Sessions tracking the entry (track-sc): it is neither evicted nor expired meanwhile. */
  refs = 0;
  /** Neighbours in the table's touch order (older, newer); undefined at the ends or once removed. */
  older: StickEntry | undefined = undefined;
  newer: StickEntry | undefined = undefined;
  /** Still in its table (a tracker may hold an entry an admin removed). */
  inTable = true;
  /** What the other threads were last told of it (src/threads/stick-table-sync.ts); undefined with one thread. */
  synced: unknown = undefined;
  constructor(key: string, data: Float64Array) {
    this.key = key;
    this.data = data;
  }

  /** Runtime-clock ms at which the entry expires (Infinity: never). */
  get expire(): number {
    return this.data[EXPIRE_SLOT] as number;
  }

  set expire(at: number) {
    this.data[EXPIRE_SLOT] = at;
  }
}

/** Counter types whose event also feeds a rate (HAProxy updates both together). */
export type StickEvent = 'conn' | 'sess' | 'http_req' | 'http_err' | 'http_fail' | 'bytes_in' | 'bytes_out' | 'gpc0' | 'gpc1';

const EVENTS: readonly StickEvent[] = ['conn', 'sess', 'http_req', 'http_err', 'http_fail', 'bytes_in', 'bytes_out', 'gpc0', 'gpc1'];
/** Small integers (never boxed) indexing the per-event offsets. */
const EVENT_INDEX: Readonly<Record<StickEvent, number>> = { conn: 0, sess: 1, http_req: 2, http_err: 3, http_fail: 4, bytes_in: 5, bytes_out: 6, gpc0: 7, gpc1: 8 };

/**
 * Told of the changes made to a table, to pass them to the other threads of the process
 * (src/threads/stick-table-sync.ts); undefined with one thread, which then pays nothing.
 */
export interface StickTableObserver {
  /** Every change to an entry is followed by its touch. */
  touched(entry: StickEntry): void;
  deleted(key: string): void;
  cleared(): void;
}

export class StickTable {
  /** The proxy that declared the table (`stick ... table NAME`, `track-sc0 ... table NAME`). */
  readonly name: string;
  readonly type: StickTableModel['type'];
  readonly keyLength: number;
  readonly size: number;
  /** ms; undefined = entries never expire. */
  readonly expire: number | undefined;
  readonly nopurge: boolean;
  /** `srvkey`: what `server` holds for persistence, the server's name or its address. */
  readonly srvkey: 'name' | 'addr';
  readonly layout: StickDataLayout;
  /**
   * Told of every local change to an entry (its touch), to push it to the peers of a `peers`
   * section (src/peers/); undefined for a table not shared. Not called while `remote` is set.
   */
  onLocalUpdate: ((entry: StickEntry) => void) | undefined = undefined;
  /** Set while a peer's update is applied, so that it is not pushed back. */
  remote = false;
  /** Stick rules store servers in it (HAProxy then also shares server_id and server_key). */
  persistence = false;
  /** The other threads' copies follow this one through it (`nbthread` > 1). */
  threads: StickTableObserver | undefined = undefined;
  readonly #entries = new Map<string, StickEntry>();
  /** The least and the most recently touched entries. */
  #oldest: StickEntry | undefined = undefined;
  #newest: StickEntry | undefined = undefined;
  /** Offsets of each event's counter and rate (-1 when not stored) and the rate's period, by EVENT_INDEX. */
  readonly #eventCounts = new Int32Array(EVENTS.length);
  readonly #eventRates = new Int32Array(EVENTS.length);
  readonly #eventPeriods = new Int32Array(EVENTS.length);

  constructor(name: string, model: StickTableModel) {
    this.name = name;
    this.type = model.type;
    this.keyLength = model.keyLength;
    this.size = model.size;
    this.expire = model.expire;
    this.nopurge = model.nopurge;
    this.srvkey = model.srvkey ?? 'name';
    this.layout = new StickDataLayout(model.store ?? []);
    for (const event of EVENTS) {
      const count: StickCountType = event === 'gpc0' || event === 'gpc1' ? event : `${event}_cnt`;
      const rate: StickRateType = `${event}_rate`;
      const i = EVENT_INDEX[event];
      this.#eventCounts[i] = this.layout.offset(count);
      this.#eventRates[i] = this.layout.offset(rate);
      this.#eventPeriods[i] = this.layout.period(rate);
    }
  }

  /** The table's key for a sample, or undefined when the sample cannot be a key of this type. */
  keyOf(sample: string): string | undefined {
    return stickKey(this.type, this.keyLength, sample);
  }

  /** Entries (expired ones not yet swept may be counted until the next operation). */
  get entries(): number {
    return this.#entries.size;
  }

  /** Drops the expired untracked entries now (what HAProxy's expiry task has done by the time anyone looks). */
  purgeExpired(now: number): void {
    this.#sweep(now);
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
  store(key: string, server: string, now: number, serverId = 0): boolean {
    const entry = this.getEntry(key, now);
    if (entry === undefined) return false;
    entry.server = server;
    entry.serverId = serverId;
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
    const entry = new StickEntry(key, this.layout.newData(this.#expireFrom(now)));
    this.#entries.set(key, entry);
    this.#append(entry);
    return entry;
  }

  /** Refreshes an entry's expiry (HAProxy's stktable_touch_local): it becomes the most recent. */
  touch(entry: StickEntry, now: number): void {
    entry.expire = this.#expireFrom(now);
    if (this.onLocalUpdate !== undefined && !this.remote) this.onLocalUpdate(entry);
    if (this.threads !== undefined) this.threads.touched(entry);
    // Moving it to the end keeps the list in touch (= expiry) order.
    if (this.#newest === entry || !entry.inTable) return;
    this.#unlink(entry);
    this.#append(entry);
  }

  /** A tracker starts holding the entry. */
  acquire(entry: StickEntry): void {
    entry.refs++;
  }

  /** A tracker lets the entry go; an expired entry nobody tracks is dropped (stksess_kill_if_expired). */
  release(entry: StickEntry, now: number): void {
    if (entry.refs > 0) entry.refs--;
    if (entry.refs === 0 && now >= entry.expire && entry.inTable) this.#remove(entry);
  }

  /** Removes one entry (admin `clear table ... key`); true when it existed. */
  delete(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#remove(entry);
    if (this.threads !== undefined) this.threads.deleted(key);
    return true;
  }

  clear(): void {
    if (this.threads !== undefined) this.threads.cleared();
    for (const entry of this.#entries.values()) entry.inTable = false;
    this.#entries.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
  }

  /** Every live entry, oldest first (inspection, `show table`). */
  *list(now: number): IterableIterator<StickEntry> {
    for (let entry = this.#oldest; entry !== undefined; entry = entry.newer) if (entry.refs > 0 || now < entry.expire) yield entry;
  }

  // ---- counters ----

  /** Counts `n` events on the entry: the event's counter and its rate, when stored. True when either is. */
  count(entry: StickEntry, event: StickEvent, n: number, now: number): boolean {
    const i = EVENT_INDEX[event];
    const count = this.#eventCounts[i] as number;
    const rate = this.#eventRates[i] as number;
    if (count >= 0) entry.data[count] = (entry.data[count] as number) + n;
    if (rate >= 0) updateFreqCtr(entry.data, rate, this.#eventPeriods[i] as number, now, n);
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
    return at < 0 ? undefined : readFreqCtr(entry.data, at, this.layout.period(type), now);
  }

  // ---- arrays (gpc(N), gpc_rate(N,P), gpt(N)) ----

  /**
   * `sc-inc-gpc(I,N)`: counts `n` on gpc_rate[I] and gpc[I], when stored (HAProxy's
   * action_inc_gpc). True when either is.
   */
  countGpc(entry: StickEntry, index: number, n: number, now: number): boolean {
    const count = this.layout.element('gpc', index);
    const rate = this.layout.element('gpc_rate', index);
    if (rate >= 0) updateFreqCtr(entry.data, rate, this.layout.period('gpc_rate'), now, n);
    if (count >= 0) entry.data[count] = (entry.data[count] as number) + n;
    return count >= 0 || rate >= 0;
  }

  /** gpc[I] or gpt[I], or undefined when the table does not store that element. */
  element(entry: StickEntry, type: 'gpc' | 'gpt', index: number): number | undefined {
    const at = this.layout.element(type, index);
    return at < 0 ? undefined : (entry.data[at] as number);
  }

  /** Sets gpc[I] or gpt[I]; false when the table does not store that element. */
  setElement(entry: StickEntry, type: 'gpc' | 'gpt', index: number, value: number): boolean {
    const at = this.layout.element(type, index);
    if (at < 0) return false;
    entry.data[at] = value;
    return true;
  }

  /** gpc_rate[I] over its period at `now`, or undefined when not stored. */
  elementRate(entry: StickEntry, index: number, now: number): number | undefined {
    const at = this.layout.element('gpc_rate', index);
    return at < 0 ? undefined : readFreqCtr(entry.data, at, this.layout.period('gpc_rate'), now);
  }

  #expireFrom(now: number): number {
    return this.expire === undefined ? Number.POSITIVE_INFINITY : now + this.expire;
  }

  /** The entry of `key` unless it expired untracked (then it is dropped). */
  #live(key: string, now: number): StickEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.refs === 0 && now >= entry.expire) {
      this.#remove(entry);
      return undefined;
    }
    return entry;
  }

  #append(entry: StickEntry): void {
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }

  #unlink(entry: StickEntry): void {
    const { older, newer } = entry;
    if (older === undefined) this.#oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this.#newest = older;
    else newer.older = older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  #remove(entry: StickEntry): void {
    entry.inTable = false;
    this.#entries.delete(entry.key);
    this.#unlink(entry);
  }

  /** Trashes a batch of the oldest untracked entries; false when none could go (or nopurge). */
  #trashOldest(): boolean {
    if (this.nopurge || this.size <= 0) return false;
    let batch = (this.size >> 8) + 1;
    let freed = false;
    for (let entry = this.#oldest; entry !== undefined && batch > 0; ) {
      const next = entry.newer;
      if (entry.refs === 0) {
        this.#remove(entry);
        freed = true;
        batch--;
      }
      entry = next;
    }
    return freed;
  }

  /**
   * Drops expired entries from the old end; stops at the first live one. A tracked expired
   * entry is requeued as if touched (it expires after its release at the earliest).
   */
  #sweep(now: number): void {
    if (this.expire === undefined) return;
    // A requeued entry gets a future expiry: the loop stops when it meets it again.
    for (let entry = this.#oldest; entry !== undefined && now >= entry.expire; entry = this.#oldest) {
      if (entry.refs > 0) this.touch(entry, now);
      else this.#remove(entry);
    }
  }
}
