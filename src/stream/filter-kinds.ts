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
import type { HttpCounters } from '../proxy/counters.ts';
import type { ProcessLimits } from '../proxy/process-limits.ts';
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
    const declared = all.filter((name, i) => all.indexOf(name) === i);
    // HAProxy declares the cache filter implicitly for a proxy whose rules store in a cache.
    names = declared.includes('cache') || !(storesInCache(frontend.httpResponseRules) || storesInCache(backend.httpResponseRules)) ? declared : [...declared, 'cache'];
    byBackend.set(backend, names);
  }
  return names;
}

function storesInCache(rules: readonly { readonly action: string }[] | undefined): boolean {
  return rules?.some((r) => r.action === 'cache-store') ?? false;
}

/** The filter chain of a transaction, or undefined when its proxies declare no filter that applies. */
export function startResponseFilters(
  frontend: FrontendModel,
  backend: BackendModel,
  runtime: Runtime,
  cache: CacheTxn | undefined,
  frontendCounters: HttpCounters,
  backendCounters: HttpCounters,
  limits: ProcessLimits,
): ResponseFilterChain | undefined {
  const names = filterNames(frontend, backend);
  if (names.length === 0) return undefined;
  const ctx = { frontend, backend, runtime, cache, frontendCounters, backendCounters, limits };
  let filters: ResponseFilter[] | undefined;
  for (const name of names) {
    const filter = FILTER_FACTORIES.get(name)?.(ctx);
    if (filter !== undefined) (filters ??= []).push(filter);
  }
  return filters === undefined ? undefined : new ResponseFilterChain(filters);
}
