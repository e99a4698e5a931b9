/**
 * The cache filter (HAProxy's cache filter, declared by `filter cache NAME` or implied by the
 * cache rules): on the stream's response filter seam it observes the payload of a response that
 * `http-response cache-store` chose to store and hands it to the transaction's CacheTxn, whose
 * entry serves hits once the payload ended.
 */
import type { FilterBodyRole, FilterContext, FilterOutput, ResponseFilter } from '../stream/response-filter.ts';
import type { CacheTxn } from './cache-txn.ts';

class CacheFilter implements ResponseFilter {
  readonly #txn: CacheTxn;

  constructor(txn: CacheTxn) {
    this.#txn = txn;
  }

  request(): void {}

  /** The response rules (cache-store among them) have run: observe the payload when storing. */
  responseHead(): FilterBodyRole {
    return this.#txn.storing ? 'observe' : 'none';
  }

  data(payload: Uint8Array, out: FilterOutput): void {
    this.#txn.data(payload);
    out.push(payload);
  }

  flush(): void {}

  end(): void {
    this.#txn.end();
  }

  /** An entry whose payload did not end is dropped by the transaction's reset. */
  release(): void {}
}

/** The filter of a transaction whose stream has caches. */
export function cacheFilter(ctx: FilterContext): ResponseFilter | undefined {
  return ctx.cache === undefined ? undefined : new CacheFilter(ctx.cache);
}
