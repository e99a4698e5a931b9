/**
 * The response filter kinds by `filter` name, and the chain a transaction gets: the frontend's
 * filters then the backend's (a listen's once), in declaration order, one instance per kind.
 */
import type { BackendModel, FrontendModel } from '../config/model.ts';
import { cacheFilter } from '../cache/cache-filter.ts';
import type { CacheTxn } from '../cache/cache-txn.ts';
import { compressionFilter } from '../http/compression/compression-filter.ts';
import { sameSection } from '../rules/http-rules.ts';
import type { Runtime } from '../runtime.ts';
import { ResponseFilterChain, type ResponseFilter, type ResponseFilterFactory } from './response-filter.ts';

const FILTER_FACTORIES: ReadonlyMap<string, ResponseFilterFactory> = new Map([
  ['compression', compressionFilter],
  ['cache', cacheFilter],
]);

const namesCache = new WeakMap<FrontendModel, WeakMap<BackendModel, readonly string[]>>();

function filterNames(frontend: FrontendModel, backend: BackendModel): readonly string[] {
  let byBackend = namesCache.get(frontend);
  if (byBackend === undefined) namesCache.set(frontend, (byBackend = new WeakMap()));
  let names = byBackend.get(backend);
  if (names === undefined) {
    const all = [...(frontend.filters ?? []), ...(sameSection(frontend, backend) ? [] : (backend.filters ?? []))];
    names = all.filter((name, i) => all.indexOf(name) === i);
    byBackend.set(backend, names);
  }
  return names;
}

/**
 * The filter chain of a transaction, or undefined when its proxies declare no filter that
 * applies. With caches, the cache filter is there even undeclared (HAProxy declares it
 * implicitly for the cache rules), after the declared ones.
 */
export function startResponseFilters(frontend: FrontendModel, backend: BackendModel, runtime: Runtime, cache: CacheTxn | undefined): ResponseFilterChain | undefined {
  const names = filterNames(frontend, backend);
  if (names.length === 0 && cache === undefined) return undefined;
  const ctx = { frontend, backend, runtime, cache };
  let filters: ResponseFilter[] | undefined;
  for (const name of names) {
    const filter = FILTER_FACTORIES.get(name)?.(ctx);
    if (filter !== undefined) (filters ??= []).push(filter);
  }
  if (cache !== undefined && !names.includes('cache')) (filters ??= []).push(cacheFilter(ctx) as ResponseFilter);
  return filters === undefined ? undefined : new ResponseFilterChain(filters);
}
