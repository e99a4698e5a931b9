/**
 * The response filter kinds by `filter` name, and the chain a transaction gets: the frontend's
 * filters then the backend's (a listen's once), in declaration order, one instance per kind.
 */
import type { BackendModel, FrontendModel } from '../config/model.ts';
import { compressionFilter } from '../http/compression/compression-filter.ts';
import { sameSection } from '../rules/http-rules.ts';
import type { Runtime } from '../runtime.ts';
import { ResponseFilterChain, type ResponseFilter, type ResponseFilterFactory } from './response-filter.ts';

const FILTER_FACTORIES: ReadonlyMap<string, ResponseFilterFactory> = new Map([['compression', compressionFilter]]);

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

/** The filter chain of a transaction, or undefined when its proxies declare no filter that applies. */
export function startResponseFilters(frontend: FrontendModel, backend: BackendModel, runtime: Runtime): ResponseFilterChain | undefined {
  // The usual case, per request: no filter anywhere, no lookup.
  if (frontend.filters === undefined && backend.filters === undefined) return undefined;
  const names = filterNames(frontend, backend);
  if (names.length === 0) return undefined;
  let filters: ResponseFilter[] | undefined;
  for (const name of names) {
    const filter = FILTER_FACTORIES.get(name)?.({ frontend, backend, runtime });
    if (filter !== undefined) (filters ??= []).push(filter);
  }
  return filters === undefined ? undefined : new ResponseFilterChain(filters);
}
