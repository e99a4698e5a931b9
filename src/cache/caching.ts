/**
 * What a stream's rules see of the caches: the generation's `cache` sections by name and the
 * transaction's CacheTxn (src/cache/cache-txn.ts). One per client connection that has rules.
 */
import type { CacheModel } from '../config/model.ts';
import { CacheTxn } from './cache-txn.ts';
import { HttpCache } from './http-cache.ts';

/** The generation's caches by name. */
export type Caches = ReadonlyMap<string, HttpCache>;

/** The caches of a configuration generation (empty sections list: none). */
export function createCaches(models: readonly CacheModel[] | undefined): Caches | undefined {
  if (models === undefined || models.length === 0) return undefined;
  return new Map(models.map((m) => [m.name, new HttpCache(m)]));
}

export class StreamCaching {
  readonly caches: Caches;
  readonly txn = new CacheTxn();
  /** Where `cache-use` counts: the proxy whose rules run (HAProxy's fe or be cache_lookups/cache_hits). */
  counters: { cacheLookups: number; cacheHits: number } | undefined = undefined;
  readonly #wallClock: () => number;

  constructor(caches: Caches, wallClock: () => number) {
    this.caches = caches;
    this.#wallClock = wallClock;
  }

  /** HAProxy's now.tv_sec: entries expire and age in whole seconds of the wall clock. */
  nowSeconds(): number {
    return Math.floor(this.#wallClock() / 1000);
  }
}
