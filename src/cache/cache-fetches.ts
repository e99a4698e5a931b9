/**
 * `res.cache_hit` (boolean: the response came from a cache) and `res.cache_name` (the name of
 * that cache), HAProxy 2.6's smp_fetch_res_cache_hit / smp_fetch_res_cache_name.
 */
import type { FetchFactory } from '../rules/sample-fetch.ts';

const cacheHit: FetchFactory = (name, args) =>
  args.length > 0
    ? `fetch method '${name}' takes no argument`
    : { scope: 'response', type: 'bool', sample: (ctx, out) => out.setBool(ctx.caching?.txn.hit !== undefined) };

const cacheName: FetchFactory = (name, args) =>
  args.length > 0
    ? `fetch method '${name}' takes no argument`
    : {
        scope: 'response',
        type: 'str',
        sample(ctx, out) {
          const cache = ctx.caching?.txn.hitCache;
          return cache === undefined ? false : out.setStr(cache.settings.name);
        },
      };

export const CACHE_FETCHES: readonly (readonly [string, FetchFactory])[] = [
  ['res.cache_hit', cacheHit],
  ['res.cache_name', cacheName],
];
