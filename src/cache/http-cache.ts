/**
 * One `cache NAME` section's store (HAProxy's struct cache over its shared context): entries by
 * primary key (the request's host and URI), several per key when the response varies
 * (`process-vary on`, at most `max-secondary-entries`), bounded by `total-max-size` with the
 * least recently used entries evicted first, each entry expiring at its own date. An entry is
 * usable once its whole payload is stored (`complete`).
 */
import type { ResponseHead } from '../http/codec/index.ts';
import type { SecondaryKey } from './vary.ts';
import { keysMatch } from './vary.ts';

/** The parts of a `cache` section the store and the rules read (CacheModel in config/model.ts). */
export interface CacheSettings {
  readonly name: string;
  /** `total-max-size`, in bytes. */
  readonly totalMaxSize: number;
  /** `max-object-size`, in bytes (default: a 256th of the total). */
  readonly maxObjectSize: number;
  /** `max-age`, seconds. */
  readonly maxAge: number;
  readonly processVary: boolean;
  readonly maxSecondaryEntries: number;
}

/** A hit's head as read back, for the stored head `stored` at `age` seconds. */
export interface HitHead {
  readonly stored: string;
  readonly age: number;
  readonly head: ResponseHead;
}

export class CacheEntry {
  readonly key: string;
  /** The status line and headers to send (lowercase names, no hop-by-hop field, no Age). */
  head: string;
  readonly payload: Uint8Array[] = [];
  payloadBytes = 0;
  complete = false;
  /** UNIX seconds. */
  expire: number;
  latestValidation: number;
  /** The origin's `Age`. */
  age: number;
  lastModified: number;
  etag: string | undefined;
  /** HAProxy's secondary_key_signature (0: the response did not vary). */
  readonly varySignature: number;
  secondary: SecondaryKey | undefined;
  /** Whether the stored head frames its payload with Transfer-Encoding: chunked. */
  chunked = false;
  /**
   * The heads hits last sent, read back once: [the stored status, a 304]. Hits within one
   * second of age share one (heads are never modified: edits go through a HeadEditor).
   */
  readonly hitHeads: (HitHead | undefined)[] = [undefined, undefined];

  constructor(key: string, varySignature: number, secondary: SecondaryKey | undefined, now: number) {
    this.key = key;
    this.varySignature = varySignature;
    this.secondary = secondary;
    this.head = '';
    // A provisional date, so a concurrent response for the same key does not store a copy too.
    this.expire = now + 2;
    this.latestValidation = now;
    this.age = 0;
    this.lastModified = now;
    this.etag = undefined;
  }

  /** What the entry occupies in the cache's size budget. */
  get size(): number {
    return this.head.length + this.payloadBytes;
  }
}

export class HttpCache {
  readonly settings: CacheSettings;
  readonly #byKey = new Map<string, CacheEntry[]>();
  /** Every indexed entry, least recently used first (a Set keeps insertion order). */
  readonly #lru = new Set<CacheEntry>();
  #bytes = 0;
  /** `show cache` / stats: lookups and hits across the proxies using this cache. */
  lookups = 0;
  hits = 0;

  constructor(settings: CacheSettings) {
    this.settings = settings;
  }

  get usedBytes(): number {
    return this.#bytes;
  }

  /** Entries alive now, in insertion order of their keys (for `show cache`). */
  *entries(now: number): Iterable<CacheEntry> {
    for (const list of this.#byKey.values()) for (const e of list) if (e.expire > now) yield e;
  }

  /**
   * The entry for `key` (entry_exist, then secondary_entry_exist when it varies): expired
   * entries met on the way are dropped. `secondary` builds the request's key for a signature.
   */
  lookup(key: string, now: number, secondary: (signature: number) => SecondaryKey | undefined): CacheEntry | undefined {
    const list = this.#byKey.get(key);
    if (list === undefined) return undefined;
    this.#dropExpired(key, list, now);
    const first = list[0];
    if (first === undefined) return undefined;
    if (first.varySignature === 0) return first;
    const wanted = secondary(first.varySignature);
    if (wanted === undefined) return undefined;
    for (const e of list) if (e.secondary !== undefined && keysMatch(e.secondary, wanted)) return e;
    return undefined;
  }

  /** The entry a stored response would replace (same key, and the same secondary key when it varies). */
  existing(key: string, now: number, secondary: SecondaryKey | undefined): CacheEntry | undefined {
    const list = this.#byKey.get(key);
    if (list === undefined) return undefined;
    this.#dropExpired(key, list, now);
    if (secondary === undefined) return list[0];
    for (const e of list) if (e.secondary !== undefined && keysMatch(e.secondary, secondary)) return e;
    return undefined;
  }

  touch(entry: CacheEntry): void {
    if (this.#lru.delete(entry)) this.#lru.add(entry);
  }

  /**
   * Indexes a new (incomplete) entry (insert_entry); false when its key already holds
   * `max-secondary-entries` entries.
   */
  insert(entry: CacheEntry, now: number): boolean {
    let list = this.#byKey.get(entry.key);
    if (list === undefined) this.#byKey.set(entry.key, (list = []));
    else {
      this.#dropExpired(entry.key, list, now);
      if (list.length === 0) this.#byKey.set(entry.key, list);
    }
    if (entry.varySignature !== 0 && list.length >= this.settings.maxSecondaryEntries) return false;
    if (entry.varySignature === 0) for (const old of list.splice(0)) this.#unindex(old);
    list.push(entry);
    this.#lru.add(entry);
    return true;
  }

  /**
   * `bytes` more for `entry`: false when the entry would pass `max-object-size` or cannot fit
   * even after evicting every other entry (HAProxy's shctx_row_reserve_hot failing).
   */
  reserve(entry: CacheEntry, bytes: number): boolean {
    const { maxObjectSize, totalMaxSize } = this.settings;
    // An entry dropped while it was being filled (expired, replaced) takes no more room.
    if (!this.#lru.has(entry) || entry.size + bytes > maxObjectSize) return false;
    this.#bytes += bytes;
    for (const victim of this.#lru) {
      if (this.#bytes <= totalMaxSize) break;
      if (victim === entry || !victim.complete) continue;
      this.remove(victim);
    }
    if (this.#bytes > totalMaxSize) {
      this.#bytes -= bytes;
      return false;
    }
    return true;
  }

  /** Removes an entry (delete_entry), complete or not. */
  remove(entry: CacheEntry): void {
    const list = this.#byKey.get(entry.key);
    if (list === undefined) return;
    const i = list.indexOf(entry);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.#byKey.delete(entry.key);
    this.#unindex(entry);
  }

  /** Removes every entry of `key` (an unsafe method succeeded on it, RFC 7234 §4.4). */
  invalidate(key: string, now: number): void {
    const list = this.#byKey.get(key);
    if (list === undefined) return;
    const entry = this.existing(key, now, undefined);
    if (entry !== undefined) this.remove(entry);
  }

  #unindex(entry: CacheEntry): void {
    if (this.#lru.delete(entry)) this.#bytes -= entry.size;
  }

  #dropExpired(key: string, list: CacheEntry[], now: number): void {
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i] as CacheEntry;
      if (e.expire <= now) {
        list.splice(i, 1);
        this.#unindex(e);
      }
    }
    if (list.length === 0) this.#byKey.delete(key);
  }
}
