import type { Backend } from './backend.ts';

/**
 * Algorithms whose weights are fixed at start (HAProxy: no BE_LB_PROP_DYN): static-rr and
 * map-based hashing. They take a new weight only if it is 0 or the initial one (the runtime
 * API's `set weight`, an SRV answer's weight).
 */
export function staticWeights(backend: Backend): boolean {
  const algo = backend.model.balance.algorithm;
  if (algo === 'static-rr') return true;
  const hashed = algo !== 'roundrobin' && algo !== 'leastconn' && algo !== 'first' && algo !== 'random';
  return hashed && (backend.model.hashType?.method ?? 'map-based') === 'map-based';
}
