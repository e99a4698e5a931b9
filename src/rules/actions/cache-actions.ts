/**
 * `http-request cache-use NAME` and `http-response cache-store NAME` (HAProxy's
 * http_action_req_cache_use / http_action_store_cache): both look their cache up by name in
 * the generation's caches and act through the transaction's CacheTxn (src/cache/cache-txn.ts);
 * neither ends the rule list. A hit is answered by the stream once the request rules are done.
 */
import type { RequestHead, ResponseHead } from '../../http/codec/index.ts';
import type { HttpHead } from '../../http/codec/head.ts';
import type { HeadEditor } from '../../http/codec/serialize.ts';
import { Lookup } from '../../cache/cache-txn.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';

class CacheUse implements HttpAction {
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  run(ctx: HttpActionContext, head: HttpHead, editor: HeadEditor): Verdict {
    const caching = ctx.caching;
    const cache = caching?.caches.get(this.#name);
    if (caching === undefined || cache === undefined) return Verdict.continue;
    const lookup = caching.txn.use(cache, head as RequestHead, editor, caching.nowSeconds());
    const counters = caching.counters;
    if (counters !== undefined && lookup !== Lookup.none) {
      counters.cacheLookups++;
      if (lookup === Lookup.hit) counters.cacheHits++;
    }
    return Verdict.continue;
  }
}

class CacheStore implements HttpAction {
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  run(ctx: HttpActionContext, head: HttpHead, editor: HeadEditor): Verdict {
    const caching = ctx.caching;
    const cache = caching?.caches.get(this.#name);
    const req = ctx.lbHead as RequestHead | undefined;
    if (caching === undefined || cache === undefined || req === undefined) return Verdict.continue;
    const res = head as ResponseHead;
    caching.txn.store(cache, req, res, editor, ctx.responseStatus ?? res.status, caching.nowSeconds());
    return Verdict.continue;
  }
}

export function compileCacheAction(rule: { readonly action: 'cache-use' | 'cache-store'; readonly cache: string }): HttpActionCompile {
  return { ok: true, action: rule.action === 'cache-use' ? new CacheUse(rule.cache) : new CacheStore(rule.cache) };
}
